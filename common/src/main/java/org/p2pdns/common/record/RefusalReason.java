package org.p2pdns.common.record;

import java.util.Optional;

/** Why a record was refused. The code is on the wire (node query protocol and peer protocol). */
public enum RefusalReason {
  MALFORMED(1, "the bytes are not a signed record"),
  BAD_SIGNATURE(2, "a signature does not verify"),
  BAD_NAME(3, "the name is not registrable under a network suffix"),
  OUTSIDE_SUBTREE(4, "a resource record lies outside the registered name"),
  TOO_LARGE(5, "the record exceeds the network's size or count limits"),
  BAD_RR(6, "a resource record is not allowed"),
  INSUFFICIENT_POW(7, "the proof of work is below the network's difficulty"),
  NOT_OWNER(8, "the name is held by another key"),
  STALE_SERIAL(9, "the serial is not higher than the stored one"),
  EQUIVOCATION(10, "the owner signed two different records with the same serial"),
  CLOCK_SKEW(11, "the issue time lies in the future beyond the allowed clock skew"),
  BAD_LIFETIME(12, "the expiry is before the issue time or beyond the network's lifetime"),
  EXPIRED(13, "the record has expired"),
  REVOKED(14, "the name was revoked by its owner"),
  RATE_LIMITED(15, "too many submissions; try again later"),
  STORAGE(16, "the node could not store the record"),
  EARLY_REVEAL(17, "the claim reveals its commitment before the reveal delay has passed"),
  CONTEST_LOST(18, "another claim of the name ranks first in the contest for it");

  private final int code;
  private final String summary;

  RefusalReason(int code, String summary) {
    this.code = code;
    this.summary = summary;
  }

  public int code() {
    return code;
  }

  public String summary() {
    return summary;
  }

  public static Optional<RefusalReason> fromCode(int code) {
    for (RefusalReason r : values()) {
      if (r.code == code) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** A refusal: the reason and a message for people. */
  public record Refusal(RefusalReason reason, String message) {
    @Override
    public String toString() {
      return reason + ": " + message;
    }
  }

  public Refusal refusal(String message) {
    return new Refusal(this, message);
  }
}
