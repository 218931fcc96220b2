package org.p2pdns.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrHotMethodsTest {
  private static volatile long sink;

  /** Burns CPU in a method with a name to find in the summary. */
  private static void spinForProfilerTest(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    long x = 1;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    sink = x;
  }

  @Test
  void theMethodThatBurnsTheCpuIsOnTop(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spin.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      r.start();
      spinForProfilerTest(Duration.ofMillis(1500));
      r.stop();
      r.dump(file);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JfrHotMethods.summarise(file, 5, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    String self = out.substring(out.indexOf("self (top frame):"), out.indexOf("total (anywhere"));
    assertThat(self).contains("JfrHotMethodsTest.spinForProfilerTest");
    assertThat(out).contains("jdk.NativeMethodSample");
  }
}
