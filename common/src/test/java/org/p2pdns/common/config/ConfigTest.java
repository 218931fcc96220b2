package org.p2pdns.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @TempDir
  Path dir;

  private Path file(String... lines) throws Exception {
    Path f = dir.resolve("p2pdns.conf");
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  @Test
  void defaultsHoldEveryKey() {
    Config c = Config.defaults();
    assertThat(c.asMap().keySet()).containsExactlyElementsOf(
        ConfigKeys.ALL.stream().map(ConfigKey::name).toList());
    for (ConfigKey k : ConfigKeys.ALL) {
      assertThat(c.get(k)).isEqualTo(k.defaultValue());
    }
  }

  @Test
  void layersApplyInOrderDefaultsFileEnvironmentSet() throws Exception {
    Path f = file("network.pow-bits = 10", "network.max-rrs = 11", "network.clock-skew = 12s");
    Map<String, String> env = Map.of("P2PDNS_NETWORK_MAX_RRS", "21",
        "P2PDNS_NETWORK_CLOCK_SKEW", "22s");
    Config c = Config.builder().file(f).environment(env)
        .assignments("network.clock-skew=33s").build();
    assertThat(c.get(ConfigKeys.NETWORK_SUFFIXES)).isEqualTo("p2p"); // default
    assertThat(c.getInt(ConfigKeys.NETWORK_POW_BITS, 0, 40)).isEqualTo(10); // file
    assertThat(c.getInt(ConfigKeys.NETWORK_MAX_RRS, 0, 4096)).isEqualTo(21); // env over file
    assertThat(c.getDuration(ConfigKeys.NETWORK_CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(33));
  }

  @Test
  void environmentVariableNamesFollowTheKey() {
    assertThat(ConfigKeys.NETWORK_POW_BITS.environmentVariable())
        .isEqualTo("P2PDNS_NETWORK_POW_BITS");
    assertThat(ConfigKeys.FRONTEND_NODE_TIMEOUT.environmentVariable())
        .isEqualTo("P2PDNS_FRONTEND_NODE_TIMEOUT");
    // Unrelated variables are ignored.
    Config c = Config.builder().environment(Map.of("PATH", "/bin", "P2PDNS_NOPE", "1")).build();
    assertThat(c.asMap()).isEqualTo(Config.defaults().asMap());
  }

  @Test
  void commentsAndBlankLinesAreIgnoredAndValuesTrimmed() throws Exception {
    Path f = file("# a comment", "", "   ", "  # indented comment",
        "  frontend.listen   =   127.0.0.1:5353   ", "node.bootstrap =", "cli.key=~/k # not a comment");
    Config c = Config.builder().file(f).build();
    assertThat(c.get(ConfigKeys.FRONTEND_LISTEN)).isEqualTo("127.0.0.1:5353");
    assertThat(c.get(ConfigKeys.NODE_BOOTSTRAP)).isEmpty();
    // '#' only starts a comment at the start of a line: values may hold it.
    assertThat(c.get(ConfigKeys.CLI_KEY)).isEqualTo("~/k # not a comment");
  }

  @Test
  void aValueMayContainEqualsSigns() throws Exception {
    Config c = Config.builder().assignments("node.bootstrap=a=b").build();
    assertThat(c.get(ConfigKeys.NODE_BOOTSTRAP)).isEqualTo("a=b");
  }

  @Test
  void unknownKeyInAFileNamesTheLine() throws Exception {
    Path f = file("# header", "network.pow-bits = 8", "network.pow-bit = 9");
    assertThatThrownBy(() -> Config.builder().file(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(f + ":3:")
        .hasMessageContaining("unknown configuration key 'network.pow-bit'");
  }

  @Test
  void lineWithoutEqualsSignNamesTheLine() throws Exception {
    Path f = file("network.pow-bits 8");
    assertThatThrownBy(() -> Config.builder().file(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(f + ":1: expected 'key = value'");
  }

  @Test
  void unknownKeyInSetIsRefused() {
    assertThatThrownBy(() -> Config.builder().assignments("frontend.lisen=127.0.0.1:53"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown configuration key 'frontend.lisen'");
    assertThatThrownBy(() -> Config.builder().setAssignment("no-equals-sign"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not KEY=VALUE");
    assertThatThrownBy(() -> Config.builder().setAssignment("=value"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not KEY=VALUE");
  }

  @Test
  void missingFileIsAClearError() {
    Path missing = dir.resolve("nope.conf");
    assertThatThrownBy(() -> Config.builder().file(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage("configuration file " + missing + " does not exist");
  }

  @Test
  void badWholeNumbersNameTheKey() throws Exception {
    Config c = Config.builder().assignments("network.pow-bits=lots", "network.max-rrs=99999")
        .build();
    assertThatThrownBy(() -> c.getInt(ConfigKeys.NETWORK_POW_BITS, 0, 40))
        .isInstanceOf(ConfigException.class)
        .hasMessage("network.pow-bits: 'lots' is not a whole number");
    assertThatThrownBy(() -> c.getInt(ConfigKeys.NETWORK_MAX_RRS, 1, 4096))
        .isInstanceOf(ConfigException.class)
        .hasMessage("network.max-rrs: 99999 is outside 1..4096");
  }

  @Test
  void durationsParseWithUnits() throws Exception {
    assertThat(Config.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Config.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Config.parseDuration(" 30s ")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Config.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Config.parseDuration("2 h")).isEqualTo(Duration.ofHours(2));
    assertThat(Config.parseDuration("365d")).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void badDurationsNameTheKey() throws Exception {
    for (String bad : List.of("soon", "-5s", "5 weeks", "", "1.5h", "5x")) {
      Config c = Config.builder().set("network.clock-skew", bad).build();
      assertThatThrownBy(() -> c.getDuration(ConfigKeys.NETWORK_CLOCK_SKEW))
          .as("'%s'", bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("network.clock-skew: ");
    }
  }

  @Test
  void durationsTooLargeForADurationNameTheKey() throws Exception {
    for (String huge : List.of("99999999999999999999s", "9999999999999999d",
        "9223372036854775807d", "9223372036854775807h")) {
      Config c = Config.builder().set("network.grace-period", huge).build();
      assertThatThrownBy(() -> c.getDuration(ConfigKeys.NETWORK_GRACE_PERIOD))
          .as("'%s'", huge)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("network.grace-period: ")
          .hasMessageContaining("too large");
    }
  }

  @Test
  void listsAreCommaSeparatedAndTrimmed() throws Exception {
    Config c = Config.builder().assignments("network.suffixes= p2p , alt,, ").build();
    assertThat(c.getList(ConfigKeys.NETWORK_SUFFIXES)).containsExactly("p2p", "alt");
    assertThat(Config.defaults().getList(ConfigKeys.NODE_BOOTSTRAP)).isEmpty();
  }

  @Test
  void pathsExpandTheHomeDirectory() {
    Path home = Path.of("/home/someone");
    assertThat(Config.defaults().getPath(ConfigKeys.NODE_DATA_DIR, home))
        .isEqualTo(home.resolve(".p2pdns"));
    assertThat(Config.expandHome("~", home)).isEqualTo(home);
    assertThat(Config.expandHome("/var/lib/p2pdns", home)).isEqualTo(Path.of("/var/lib/p2pdns"));
    assertThat(Config.expandHome("~other/x", home)).isEqualTo(Path.of("~other/x"));
  }

  @Test
  void builtConfigIsImmutable() throws Exception {
    Config.Builder b = Config.builder();
    Config c = b.build();
    b.set("network.pow-bits", "3");
    assertThat(c.get(ConfigKeys.NETWORK_POW_BITS)).isEqualTo("24");
    assertThatThrownBy(() -> c.asMap().put("network.pow-bits", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void keyNamesAreChecked() {
    assertThatThrownBy(() -> new ConfigKey("Network.Pow", "1", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfigKey("nodots", "1", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ConfigKeys.byName("network.pow-bits")).contains(ConfigKeys.NETWORK_POW_BITS);
    assertThat(ConfigKeys.byName("network.pow")).isEmpty();
  }
}
