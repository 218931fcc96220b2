package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "renew", mixinStandardHelpOptions = true,
    description = "Extends a name you own: the same records, expiry --lifetime from now "
        + "(default and maximum: the network's record lifetime); serial + 1.")
public final class RenewCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Option(names = "--lifetime", paramLabel = "DURATION", description = "Like 90d.")
  String lifetime;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    Clock clock = main.environment().clock();
    Optional<Duration> requested = Durations.parse("--lifetime", lifetime);
    Ed25519Keys.KeyPair key = main.ownerKey();
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      SignedRecord current = Publishing.ownedRecord(node, registered, key,
          main.keyPath().toString());
      RecordDrafts drafts = new RecordDrafts(params, clock);
      if (drafts.exceedsNetwork(requested)) {
        spec.commandLine().getErr().println("note: --lifetime " + lifetime + " is longer than "
            + "the network allows; using " + Durations.format(params.recordLifetime()));
      }
      SignedRecord record = new RecordSigner(params.networkId())
          .sign(drafts.renew(current, drafts.lifetime(requested)), key);
      Publishing.checkLocally(record, params, clock, false);
      Publishing.submit(node, record, out, "renewed " + registered + " (serial "
          + record.serial() + ", expires " + Times.iso(record.expiresAt()) + ")");
    }
    return 0;
  }
}
