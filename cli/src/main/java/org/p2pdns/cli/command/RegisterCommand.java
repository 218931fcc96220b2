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
import org.p2pdns.cli.keys.OwnerKeys;
import org.p2pdns.cli.records.IdnNames;
import org.p2pdns.cli.records.ProofOfWorkMiner;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.cli.records.ResourceRecordInput;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.ClaimTerms;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RefusalReason;
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
    description = {"Claims a new name in two steps, so that nobody who sees the claim in flight "
        + "can take the name first: commits to the claim (a hash that hides the name and your "
        + "key, which the network witnesses), mines the proof of work, waits the network's "
        + "reveal delay, then reveals the signed claim.",
        "Example: p2pdns register example.p2p --a 192.0.2.1 --mx \"10 mail\" --ttl 300",
        "With --recovery-key, transfers of the name can be cancelled by that key for a while "
            + "(see 'p2pdns cancel')."})
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

  @Option(names = "--recovery-key", paramLabel = "KEY", description = "A recovery key for the "
      + "name: its public key (64 hex digits) or its key file. Keep it apart from the owner "
      + "key; it can cancel a transfer (also one made with a stolen owner key) within the "
      + "network's transfer delay, and it stays with the name.")
  String recoveryKey;

  @Option(names = "--no-commit", description = "Claim at once without the commitment step: "
      + "no reveal delay, but a node that sees the claim in flight can race it for the name, "
      + "and it takes no contest against a committed claim.")
  boolean noCommit;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

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
      Optional<byte[]> recovery = recoveryKey(key);
      ClaimTerms terms = ClaimTerms.of(Optional.empty(), recovery);
      RecordContent draft = drafts.claim(registered, key.publicKey(), 0, rrs,
          drafts.lifetime(requested), terms);
      RecordSigner signer = new RecordSigner(params.networkId());
      ProofOfWorkMiner miner = new ProofOfWorkMiner(err,
          main.environment().terminal().stderrIsTerminal(), clock);
      // The network's rules on the draft before anything is mined or committed.
      Publishing.checkLocally(signer.sign(draft, key), params, clock, true);
      if (noCommit) {
        long nonce = miner.mine(params.networkId(), registered, key.publicKey(), params.powBits());
        SignedRecord record = signer.sign(RecordDrafts.withNonce(draft, nonce), key);
        Publishing.checkLocally(record, params, clock, false);
        Publishing.submit(node, record, out, "registered " + registered + " (serial 1), expires "
            + Times.iso(record.expiresAt()));
        return 0;
      }
      // Step 1: commit. The hash hides the name and the key; the node witnesses its time.
      byte[] salt = new byte[ClaimTerms.SALT_BYTES];
      RANDOM.nextBytes(salt);
      long committedAt = clock.instant().getEpochSecond();
      byte[] hash = Commitment.hashOf(params.networkId(), registered, key.publicKey(), salt,
          committedAt);
      err.println("step 1 of 2: committing to the claim (the name stays hidden until it is "
          + "revealed)");
      Commitment commitment = miner.commitment(params.networkId(), hash, committedAt,
          Ownership.commitmentPowBits(params));
      if (clock.instant().getEpochSecond() - committedAt > params.clockSkew().toSeconds() / 2) {
        throw CliException.refused("mining the commitment took longer than half the network's "
            + "clock skew; the node would not take its time as live. Try again.");
      }
      NodeResponse.CommitmentSubmitted kept = node.submitCommitment(commitment);
      if (kept.status() == NodeResponse.SubmitStatus.REFUSED) {
        String reason = RefusalReason.fromCode(kept.reasonCode()).map(Publishing::describe)
            .orElse("reason code " + kept.reasonCode());
        throw CliException.refused("the node refused the commitment: " + reason
            + (kept.message().isEmpty() ? "" : ": " + kept.message())
            + (kept.reasonCode() == RefusalReason.CLOCK_SKEW.code()
            ? " (is this machine's clock right? run NTP)" : ""));
      }
      long revealAt = committedAt + Ownership.revealDelay(params).toSeconds();
      err.println("committed at " + Times.iso(committedAt) + " (commitment "
          + commitment.hashHex() + "); the claim is revealed at " + Times.iso(revealAt));
      err.flush();
      // Step 2: the work for the claim itself, while the reveal delay runs.
      long nonce = miner.mine(params.networkId(), registered, key.publicKey(), params.powBits());
      waitUntil(revealAt, err);
      RecordContent claim = drafts.reissued(RecordDrafts.withNonce(draft.withTerms(
          ClaimTerms.of(Optional.of(new ClaimTerms.Reveal(committedAt, salt)), recovery)),
          nonce));
      SignedRecord record = signer.sign(claim, key);
      Publishing.checkLocally(record, params, clock, false);
      err.println("step 2 of 2: revealing the claim");
      err.flush();
      Publishing.submit(node, record, out, "registered " + registered + " (serial 1), expires "
          + Times.iso(record.expiresAt()));
    }
    return 0;
  }

  /** The recovery key given: a public key in hex, or a key file (whose public key is used). */
  private Optional<byte[]> recoveryKey(Ed25519Keys.KeyPair owner) throws CliException {
    if (recoveryKey == null) {
      return Optional.empty();
    }
    byte[] pub;
    if (recoveryKey.matches("[0-9a-fA-F]{64}")) {
      pub = Ed25519Keys.parsePublicKey(recoveryKey);
    } else {
      pub = OwnerKeys.read(java.nio.file.Path.of(recoveryKey).toAbsolutePath(),
          main.passphrases()).publicKey();
    }
    if (Arrays.equals(pub, owner.publicKey())) {
      throw CliException.usage("--recovery-key is the owner key: a recovery key must be another "
          + "key, kept apart from it");
    }
    return Optional.of(pub);
  }

  /** Waits (bounded) until the environment's clock reaches {@code epochSecond}, with progress. */
  private void waitUntil(long epochSecond, PrintWriter err) throws InterruptedException,
      CliException {
    Clock clock = main.environment().clock();
    long left = epochSecond - clock.instant().getEpochSecond();
    if (left <= 0) {
      return;
    }
    err.println("waiting " + left + " s (the network's reveal delay), so that whoever sees the "
        + "claim can only commit after yours");
    err.flush();
    long lastShown = left;
    // One step a second; the bound guards against a clock that stands still.
    for (long step = 0; step < 2 * left + 10; step++) {
      long nowMillis = clock.millis();
      long remainingMillis = epochSecond * 1000 - nowMillis;
      if (remainingMillis <= 0) {
        err.println((main.environment().terminal().stderrIsTerminal() ? "\r" : "")
            + "reveal delay over");
        err.flush();
        return;
      }
      long remaining = (remainingMillis + 999) / 1000;
      if (main.environment().terminal().stderrIsTerminal()) {
        err.print("\r  " + remaining + " s left   ");
        err.flush();
      } else if (lastShown - remaining >= 30) {
        lastShown = remaining;
        err.println("  " + remaining + " s left");
        err.flush();
      }
      main.environment().sleeper().sleep(Math.min(1000, remainingMillis));
    }
    throw CliException.refused("the clock did not reach the end of the reveal delay");
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
