package org.p2pdns.node.records;

import java.util.Optional;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.RefusalReason.Refusal;

/**
 * What became of a submitted record. STORED means committed to disk; DUPLICATE means the node
 * already held exactly this record; REFUSED carries the reason.
 */
public record SubmitResult(Outcome outcome, Optional<Refusal> refusal) {
  public enum Outcome { STORED, DUPLICATE, REFUSED }

  public SubmitResult {
    if ((outcome == Outcome.REFUSED) != refusal.isPresent()) {
      throw new IllegalArgumentException("a refusal exactly when refused");
    }
  }

  public static final SubmitResult STORED = new SubmitResult(Outcome.STORED, Optional.empty());
  public static final SubmitResult DUPLICATE =
      new SubmitResult(Outcome.DUPLICATE, Optional.empty());

  public static SubmitResult refused(Refusal refusal) {
    return new SubmitResult(Outcome.REFUSED, Optional.of(refusal));
  }

  public static SubmitResult refused(RefusalReason reason, String message) {
    return refused(reason.refusal(message));
  }

  @Override
  public String toString() {
    return refusal.map(r -> "REFUSED " + r).orElse(outcome.name());
  }
}
