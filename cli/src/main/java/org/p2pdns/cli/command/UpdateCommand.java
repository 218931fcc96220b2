package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.IdnNames;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.cli.records.ResourceRecordInput;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import org.xbill.DNS.Record;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replaces all resource records of a name you own with the ones given "
        + "(serial + 1). The expiry stays unless --lifetime is given."})
public final class UpdateCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Mixin
  RecordFlags flags;

  @Option(names = "--lifetime", paramLabel = "DURATION", description = "A new expiry, this "
      + "long from now (at most the network's record lifetime).")
  String lifetime;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Clock clock = main.environment().clock();
    Optional<Duration> requested = Durations.parse("--lifetime", lifetime);
    if (flags.isEmpty()) {
      throw CliException.usage("update replaces all records: give the new ones (--a, --aaaa, "
          + "--txt, --mx, --cname, --ns or --zone); to keep them and extend the expiry use renew");
    }
    String ascii = IdnNames.toAscii(name);
    List<Record> rrs = flags.records(ResourceRecordInput.origin(ascii));
    Ed25519Keys.KeyPair key = main.ownerKey();
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      SignedRecord current = Publishing.ownedRecord(node, registered, key,
          main.keyPath().toString());
      RecordDrafts drafts = new RecordDrafts(params, clock);
      if (drafts.exceedsNetwork(requested)) {
        err.println("note: --lifetime " + lifetime + " is longer than the network allows; "
            + "using " + Durations.format(params.recordLifetime()));
      }
      SignedRecord record = new RecordSigner(params.networkId())
          .sign(drafts.update(current, rrs, requested), key);
      Publishing.checkLocally(record, params, clock, false);
      Publishing.submit(node, record, out, "updated " + registered + " (serial "
          + record.serial() + ", " + record.rrs().size() + " records, expires "
          + Times.iso(record.expiresAt()) + ")");
    }
    return 0;
  }
}
