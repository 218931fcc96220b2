package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.RecordDrafts;
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

@Command(name = "transfer", mixinStandardHelpOptions = true,
    description = {"Hands a name you own to another owner key: signs the hand-over with your "
        + "key (serial + 1). From then on only the new key can change the name.",
        "The new owner prints their public key with 'p2pdns keygen'."})
public final class TransferCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Option(names = "--to", required = true, paramLabel = "PUBKEY",
      description = "The new owner's public key (64 hex digits).")
  String to;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    Clock clock = main.environment().clock();
    byte[] toKey;
    try {
      toKey = Ed25519Keys.parsePublicKey(to);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--to: " + e.getMessage());
    }
    Ed25519Keys.KeyPair key = main.ownerKey();
    if (Arrays.equals(toKey, key.publicKey())) {
      throw CliException.usage("--to is your own key: the name is already yours");
    }
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      SignedRecord current = Publishing.ownedRecord(node, registered, key,
          main.keyPath().toString());
      RecordSigner signer = new RecordSigner(params.networkId());
      long serial = current.serial() + 1;
      SignedRecord record = signer.sign(new RecordDrafts(params, clock)
          .transfer(current, signer.extendChain(current, key, toKey, serial)), key);
      Publishing.checkLocally(record, params, clock, false);
      Publishing.submit(node, record, out, "transferred " + registered + " to "
          + Ed25519Keys.toHex(toKey) + " (serial " + serial + ")");
    }
    return 0;
  }
}
