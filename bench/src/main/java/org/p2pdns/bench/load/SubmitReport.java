package org.p2pdns.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What became of a batch of submissions.
 *
 * @param stored records the node stored
 * @param duplicates records the node already held exactly
 * @param refusals refused records by {@link org.p2pdns.common.record.RefusalReason} name (or
 *     "code N" for a code this build does not know)
 * @param errors requests answered with a protocol error (other than BUSY, which is retried)
 * @param unanswered requests still without an answer when the node went quiet
 * @param retries resubmissions after BUSY or RATE_LIMITED
 * @param samples the first few refusal and error messages, for people
 */
public record SubmitReport(int stored, int duplicates, Map<String, Integer> refusals, int errors,
    int unanswered, int retries, Duration elapsed, List<String> samples) {
  public SubmitReport {
    refusals = Map.copyOf(refusals);
    samples = List.copyOf(samples);
  }

  public int refused() {
    return refusals.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int answered() {
    return stored + duplicates + refused() + errors;
  }

  /** Answered submissions per second. */
  public double rate() {
    double s = elapsed.toNanos() / 1e9;
    return s > 0 ? answered() / s : 0;
  }

  /** Whether every record is now held by the node. */
  public boolean allHeld() {
    return refused() == 0 && errors == 0 && unanswered == 0;
  }
}
