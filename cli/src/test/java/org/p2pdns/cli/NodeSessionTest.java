package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.testing.TestNetwork;

class NodeSessionTest {
  @Test
  void everyFreshSessionGetsItsAnswers()
      throws Exception {
    try (InMemoryQueryServer server = new InMemoryQueryServer(new TestNetwork().params(),
        Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        try (NodeSession n = NodeSession.open(server.endpoint(), Duration.ofSeconds(5))) {
          assertThat(n.networkParams()).isEqualTo(new TestNetwork().params());
          assertThat(n.status().fields()).isNotEmpty();
        }
      }
    }
  }

  @Test
  void aSilentNodeIsUnreachableWithinTheTimeout() throws Exception {
    try (InMemoryQueryServer server = new InMemoryQueryServer(new TestNetwork().params(),
        Clock.systemUTC())) {
      server.silent(true);
      long start = System.nanoTime();
      try (NodeSession n = NodeSession.open(server.endpoint(), Duration.ofMillis(1500))) {
        CliException e = catchThrowableOfType(CliException.class, n::info);
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains(server.endpoint()).contains("1500 ms");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }
}
