package org.p2pdns.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.SignedRecord;

class RecordSubmitterTest {
  private static final NetworkParams PARAMS = NetworkParams.defaults().withPowBits(4);
  private static final int N = 300;

  private static List<SignedRecord> records(NetworkParams params, int n) throws Exception {
    return new BenchRecordMaker(params, new BenchNames("p2p", n, 3600), 7,
        Instant.now().getEpochSecond()).makeAll(2);
  }

  @Test
  void everyRecordIsStoredByAValidatingNodeAndASecondPassIsAllDuplicates() throws Exception {
    List<SignedRecord> records = records(PARAMS, N);
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.NORMAL);
        RecordSubmitter submitter = new RecordSubmitter(node.endpoint(), 64,
            Duration.ofSeconds(10))) {
      SubmitReport first = submitter.submitAll(records, line -> {});
      assertThat(first.stored()).isEqualTo(N);
      assertThat(first.allHeld()).isTrue();
      assertThat(node.store()).hasSize(N);
      assertThat(node.store().get("n0000042.p2p")).isEqualTo(records.get(41));

      SubmitReport second = submitter.submitAll(records, line -> {});
      assertThat(second.duplicates()).isEqualTo(N);
      assertThat(second.stored()).isZero();
    }
  }

  @Test
  void busyAnswersAreRetriedUntilStored() throws Exception {
    List<SignedRecord> records = records(PARAMS, 50);
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.BUSY_FIRST);
        RecordSubmitter submitter = new RecordSubmitter(node.endpoint(), 16,
            Duration.ofSeconds(10))) {
      SubmitReport report = submitter.submitAll(records, line -> {});
      assertThat(report.retries()).isEqualTo(50);
      assertThat(report.stored()).isEqualTo(50);
      assertThat(node.submissions()).isEqualTo(100);
    }
  }

  @Test
  void refusalsAreCountedByReason() throws Exception {
    // Records of another network (other difficulty, so another network id): the signature
    // covers the network id, so every one is refused.
    List<SignedRecord> foreign = records(NetworkParams.defaults().withPowBits(5), 20);
    List<SignedRecord> mixed = new ArrayList<>(records(PARAMS, 10));
    mixed.addAll(foreign.subList(10, 20));
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.NORMAL);
        RecordSubmitter submitter = new RecordSubmitter(node.endpoint(), 8,
            Duration.ofSeconds(10))) {
      SubmitReport report = submitter.submitAll(mixed, line -> {});
      assertThat(report.stored()).isEqualTo(10);
      assertThat(report.refused()).isEqualTo(10);
      // The proof of work is bound to the network id too, so most foreign records fail it
      // before their signature is checked; which reason each gets depends on its bytes.
      assertThat(report.refusals().keySet()).isNotEmpty()
          .isSubsetOf("BAD_SIGNATURE", "INSUFFICIENT_POW");
      assertThat(report.refusals().values().stream().mapToLong(Number::longValue).sum())
          .isEqualTo(10);
      assertThat(report.allHeld()).isFalse();
      assertThat(report.samples()).isNotEmpty();
    }
  }

  @Test
  void aSilentNodeEndsTheBatchAfterTheStallTimeout() throws Exception {
    List<SignedRecord> records = records(PARAMS, 30);
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.SILENT);
        RecordSubmitter submitter = new RecordSubmitter(node.endpoint(), 8,
            Duration.ofMillis(500))) {
      long t0 = System.nanoTime();
      SubmitReport report = submitter.submitAll(records, line -> {});
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(report.unanswered()).isEqualTo(30);
      assertThat(report.answered()).isZero();
      // At most the window is in flight at once; fewer arrive when the first frames sent on a
      // brand-new connection are still in transit as the submitter gives up.
      assertThat(node.submissions()).isBetween(0, 8);
    }
  }
}
