package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.keys.OwnerKeys;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.Handover;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = {"Uses a name's recovery key (named at 'p2pdns register --recovery-key') to "
        + "cancel its latest transfer, or to take the name back from a stolen owner key: the "
        + "recovery key hands the name to --new-owner (by default the owner before the latest "
        + "transfer). It wins over every version signed by the owner key, whatever its serial, "
        + "as long as the transfer is not yet final (the network's transfer delay).",
        "Example: p2pdns cancel example.p2p --recovery-key ~/rescue.key "
            + "--new-owner $(p2pdns --key ~/new.key keygen)"})
public final class CancelCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Option(names = "--recovery-key", required = true, paramLabel = "FILE",
      description = "The recovery key's file.")
  Path recoveryKeyFile;

  @Option(names = "--new-owner", paramLabel = "PUBKEY", description = "The key that owns the "
      + "name afterwards (64 hex digits). Needed when the owner key itself may be stolen; by "
      + "default the owner before the latest transfer.")
  String newOwner;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    Clock clock = main.environment().clock();
    Ed25519Keys.KeyPair rescue = OwnerKeys.read(recoveryKeyFile.toAbsolutePath(),
        main.passphrases());
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      SignedRecord current = Publishing.currentRecord(node, registered);
      byte[] named = current.content().terms().recoveryKey().orElseThrow(() ->
          CliException.refused(registered + " has no recovery key"));
      if (!Arrays.equals(named, rescue.publicKey())) {
        throw CliException.refused("the recovery key of " + registered + " is "
            + Ed25519Keys.toHex(named) + ", not " + Ed25519Keys.toHex(rescue.publicKey()) + " ("
            + recoveryKeyFile + ")");
      }
      RecordValidator validator = new RecordValidator(params, clock);
      List<Handover> chain = current.handovers();
      int last = chain.size() - 1;
      boolean cancelTransfer = last >= 0 && !validator.isRecoveryLink(current, last);
      // Cancel: keep the chain before the latest owner-signed hand-over and hand the name on
      // at that hand-over's serial. Without one (a stolen key that only changed or jumped the
      // serial), keep the whole chain and hand the name on at the current serial.
      int keep = cancelTransfer ? last : chain.size();
      long serial = cancelTransfer ? chain.get(last).serial() : current.serial();
      byte[] before = keep == 0 ? current.content().claimKey() : chain.get(keep - 1).toKey();
      byte[] to;
      if (newOwner != null) {
        try {
          to = Ed25519Keys.parsePublicKey(newOwner);
        } catch (IllegalArgumentException e) {
          throw CliException.usage("--new-owner: " + e.getMessage());
        }
      } else if (cancelTransfer) {
        to = before;
      } else {
        throw CliException.usage(registered + " has no transfer to cancel; to take it back from "
            + "the owner key, name the new owner with --new-owner");
      }
      RecordSigner signer = new RecordSigner(params.networkId());
      List<Handover> recovered = signer.recoveryChain(current, keep, rescue, to, serial);
      SignedRecord record = signer.sign(new RecordDrafts(params, clock).recovery(current,
          recovered, serial), rescue);
      Publishing.checkLocally(record, params, clock, false);
      Publishing.submit(node, record, out, (cancelTransfer ? "cancelled the transfer of "
          + registered + " to " + Ed25519Keys.toHex(chain.get(last).toKey()) + "; " : "")
          + registered + " is now owned by " + Ed25519Keys.toHex(to) + " (serial " + serial
          + "; a recovery wins over the owner key's versions until a transfer has been held "
          + Ownership.transferDelay(params).toSeconds() + " s by the nodes)");
    }
    return 0;
  }
}
