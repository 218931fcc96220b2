package org.p2pdns.node.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.node.NodeConfig;

/** node.trust: NODEID=WEIGHT entries, checked once at start with a message naming the entry. */
class TrustRootsTest {
  private static final String A = "ab".repeat(32);
  private static final String B = "cd".repeat(32);

  @Test
  void parsesWeightsInThousandths() {
    assertThat(TrustRoots.parse(List.of(A + "=1.5", " " + B + " = 0 "))).containsExactly(
        java.util.Map.entry(A, 1500L), java.util.Map.entry(B, 0L));
    assertThat(TrustRoots.format(1500)).isEqualTo("1.5");
    assertThat(TrustRoots.format(2000)).isEqualTo("2");
    assertThat(TrustRoots.parseWeight("1000000")).isEqualTo(1_000_000_000L);
  }

  @Test
  void refusesWhatIsNotAWeightOfANode() {
    assertThatThrownBy(() -> TrustRoots.parse(List.of(A))).hasMessageContaining("NODEID=WEIGHT");
    assertThatThrownBy(() -> TrustRoots.parse(List.of("abc=1"))).hasMessageContaining("not a node id");
    assertThatThrownBy(() -> TrustRoots.parse(List.of(A + "=-1"))).hasMessageContaining("outside");
    assertThatThrownBy(() -> TrustRoots.parse(List.of(A + "=1.0005")))
        .hasMessageContaining("3 decimals");
    assertThatThrownBy(() -> TrustRoots.parse(List.of(A + "=x"))).hasMessageContaining("number");
    assertThatThrownBy(() -> TrustRoots.parse(List.of(A + "=1", A + "=2")))
        .hasMessageContaining("twice");
  }

  @Test
  void aBadEntryIsAConfigurationErrorAtStart() throws Exception {
    Config bad = Config.builder().set("node.data-dir", "/tmp/x").set("node.trust", "nope=1")
        .build();
    assertThatThrownBy(() -> NodeConfig.from(bad, Path.of("/tmp"), Optional.empty()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("node.trust");
    Config good = Config.builder().set("node.data-dir", "/tmp/x").set("node.trust", A + "=2")
        .build();
    assertThat(NodeConfig.from(good, Path.of("/tmp"), Optional.empty()).trustRoots())
        .containsEntry(A, 2000L);
  }
}
