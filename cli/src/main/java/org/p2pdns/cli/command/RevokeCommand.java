package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.IdnNames;
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

@Command(name = "revoke", mixinStandardHelpOptions = true,
    description = {"Revokes a name you own for good: publishes a signed tombstone that lives "
        + "the network's full record lifetime, so no older version can come back. The name is "
        + "not served any more and nobody can claim it until the tombstone expires.",
        "Asks for confirmation on a terminal; without one, --yes is required."})
public final class RevokeCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    Clock clock = main.environment().clock();
    Ed25519Keys.KeyPair key = main.ownerKey();
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      SignedRecord current = Publishing.ownedRecord(node, registered, key,
          main.keyPath().toString());
      SignedRecord record = new RecordSigner(params.networkId())
          .sign(new RecordDrafts(params, clock).revoke(current), key);
      Publishing.checkLocally(record, params, clock, false);
      if (!yes) {
        confirm(registered, record.expiresAt());
      }
      Publishing.submit(node, record, out, "revoked " + registered + " (serial "
          + record.serial() + "; the name is blocked until " + Times.iso(record.expiresAt())
          + ")");
    }
    return 0;
  }

  private void confirm(String registered, long until) throws CliException {
    Optional<String> answer = main.environment().terminal().readLine("Revoke " + registered
        + "? It stops resolving and cannot be claimed by anyone, you included, until "
        + Times.iso(until) + ". Type the name to confirm: ");
    if (answer.isEmpty()) {
      throw CliException.usage("revoke needs --yes when there is no terminal to confirm on");
    }
    String typed;
    try {
      typed = IdnNames.toAscii(answer.get());
    } catch (CliException e) {
      typed = answer.get().trim().toLowerCase(Locale.ROOT);
    }
    if (!typed.equals(registered)) {
      throw CliException.usage("not confirmed; " + registered + " was not revoked");
    }
  }
}
