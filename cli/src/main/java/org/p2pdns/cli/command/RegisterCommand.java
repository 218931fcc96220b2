package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.IdnNames;
import org.p2pdns.cli.records.ProofOfWorkMiner;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.cli.records.ResourceRecordInput;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.xbill.DNS.Record;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "register", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Claims a new name: builds its record, mines the proof of work the network "
        + "asks for, signs it with the owner key and submits it to the node.",
        "Example: p2pdns register example.p2p --a 192.0.2.1 --mx \"10 mail\" --ttl 300"})
public final class RegisterCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The name, like example.p2p "
      + "(internationalized names are converted to A-labels).")
  String name;

  @Mixin
  RecordFlags flags;

  @Option(names = "--lifetime", paramLabel = "DURATION", description = "How long the record "
      + "lives, like 90d (default and maximum: the network's record lifetime).")
  String lifetime;

  @Override
  public Integer call() throws CliException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Clock clock = main.environment().clock();
    Optional<Duration> requested = Durations.parse("--lifetime", lifetime);
    String ascii = IdnNames.toAscii(name);
    List<Record> rrs = flags.records(ResourceRecordInput.origin(ascii));
    Ed25519Keys.KeyPair key = main.ownerKey();
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      refuseIfHeld(node, registered, key, params, clock);
      RecordDrafts drafts = new RecordDrafts(params, clock);
      if (drafts.exceedsNetwork(requested)) {
        err.println("note: --lifetime " + lifetime + " is longer than the network allows; "
            + "using " + Durations.format(params.recordLifetime()));
      }
      RecordContent draft = drafts.claim(registered, key.publicKey(), 0, rrs,
          drafts.lifetime(requested));
      RecordSigner signer = new RecordSigner(params.networkId());
      Publishing.checkLocally(signer.sign(draft, key), params, clock, true);
      long nonce = new ProofOfWorkMiner(err, main.environment().terminal().stderrIsTerminal(),
          clock).mine(params.networkId(), registered, key.publicKey(), params.powBits());
      SignedRecord record = signer.sign(RecordDrafts.withNonce(draft, nonce), key);
      Publishing.checkLocally(record, params, clock, false);
      Publishing.submit(node, record, out, "registered " + registered + " (serial 1), expires "
          + Times.iso(record.expiresAt()));
    }
    return 0;
  }

  /**
   * A name that someone holds cannot be claimed: say so before spending minutes on proof of work.
   * The node decides in the end; this only spares the work.
   */
  private static void refuseIfHeld(NodeSession node, String name, Ed25519Keys.KeyPair key,
      NetworkParams params, Clock clock) throws CliException {
    NodeResponse.Lookup found = node.lookup(name);
    switch (found.status()) {
      case NOT_FOUND:
        return;
      case REVOKED:
        throw CliException.refused(name + " was revoked by its owner; it can be claimed again "
            + "once the revocation expires");
      case CONTESTED:
        throw CliException.refused(name + " is contested on the network: " + found.detail());
      default:
        break;
    }
    SignedRecord held;
    try {
      held = RecordCodec.decode(found.record());
    } catch (MalformedException e) {
      return;
    }
    boolean ours = Arrays.equals(held.ownerKey(), key.publicKey());
    long freeAt = held.expiresAt() + params.gracePeriod().toSeconds();
    if (found.status() == NodeResponse.LookupStatus.EXPIRED
        && clock.instant().getEpochSecond() > freeAt) {
      return;
    }
    if (ours) {
      throw CliException.refused(name + " is already registered with your key (serial "
          + held.serial() + "); change it with 'p2pdns update' or 'p2pdns renew'");
    }
    throw CliException.refused(name + " is held by key " + Ed25519Keys.toHex(held.ownerKey())
        + " until " + Times.iso(freeAt) + " (expiry plus grace period)");
  }
}
