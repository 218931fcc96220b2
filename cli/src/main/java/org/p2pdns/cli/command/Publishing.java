package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.IdnNames;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.name.DomainNames;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;

/** Steps every command that publishes a record shares: names, ownership, checks, submission. */
final class Publishing {
  private Publishing() {}

  /** The registrable ASCII name for a NAME argument, checked against the network's suffixes. */
  static String registrableName(String argument, NetworkParams params) throws CliException {
    String ascii = IdnNames.toAscii(argument);
    Optional<String> problem = DomainNames.registrableProblem(ascii, params.suffixes());
    if (problem.isPresent()) {
      throw CliException.usage(problem.get());
    }
    return ascii;
  }

  /** The node's record of {@code name}, or a refusal that says why there is none to change. */
  static SignedRecord currentRecord(NodeSession node, String name) throws CliException {
    NodeResponse.Lookup found = node.lookup(name);
    switch (found.status()) {
      case NOT_FOUND:
        throw CliException.refused(name + " is not registered (register it with 'p2pdns "
            + "register " + name + "')");
      case REVOKED:
        throw CliException.refused(name + " was revoked by its owner"
            + detail(found.detail()));
      case CONTESTED:
        throw CliException.refused(name + " is contested on the network" + detail(found.detail()));
      default:
        break;
    }
    try {
      return RecordCodec.decode(found.record());
    } catch (MalformedException e) {
      throw CliException.refused("the node at " + node.endpoint() + " sent a damaged record for "
          + name + ": " + e.getMessage());
    }
  }

  /** {@link #currentRecord}, which must be owned by {@code key}. */
  static SignedRecord ownedRecord(NodeSession node, String name, Ed25519Keys.KeyPair key,
      String keyFile) throws CliException {
    SignedRecord current = currentRecord(node, name);
    if (!Arrays.equals(current.ownerKey(), key.publicKey())) {
      throw CliException.refused(name + " is owned by key "
          + Ed25519Keys.toHex(current.ownerKey()) + ", not by your key "
          + Ed25519Keys.toHex(key.publicKey()) + " (" + keyFile + ")");
    }
    return current;
  }

  /**
   * The network's own rules, applied before anything is mined or sent, so a mistake gets a clear
   * message at once (exit 2). {@code powPending}: the proof of work is not mined yet.
   */
  static void checkLocally(SignedRecord record, NetworkParams params, Clock clock,
      boolean powPending) throws CliException {
    Optional<RefusalReason.Refusal> refusal = new RecordValidator(params, clock).check(record);
    if (refusal.isPresent() && !(powPending
        && refusal.get().reason() == RefusalReason.INSUFFICIENT_POW)) {
      throw CliException.usage(describe(refusal.get().reason()) + ": "
          + refusal.get().message());
    }
  }

  /** Sends the record; prints {@code success} or throws the node's reason (exit 1). */
  static void submit(NodeSession node, SignedRecord record, PrintWriter out, String success)
      throws CliException {
    NodeResponse.Submit result = node.submit(record);
    switch (result.status()) {
      case STORED:
        out.println(success);
        return;
      case DUPLICATE:
        out.println(success + " (the node already held this exact version)");
        return;
      default:
        String reason = RefusalReason.fromCode(result.reasonCode()).map(Publishing::describe)
            .orElse("refused (reason code " + result.reasonCode() + ")");
        throw CliException.refused("the node refused " + record.name() + ": " + reason
            + (result.message().isEmpty() ? "" : ": " + result.message()));
    }
  }

  static String describe(RefusalReason reason) {
    return reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String detail(String detail) {
    return detail == null || detail.isEmpty() ? "" : ": " + detail;
  }
}
