package org.p2pdns.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * config/p2pdns.conf documents exactly {@link ConfigKeys#ALL}, in order, each with its
 * description as the comment above it and its built-in default as the value. Maven runs tests
 * with the module directory as working directory, so the file is at ../config.
 */
class DefaultConfigFileTest {
  private static final Path FILE = Path.of("..", "config", "p2pdns.conf");

  /** A key line of the file with the comment block directly above it. */
  private record Entry(String key, String value, String comment, int line) {}

  private static List<Entry> entries() throws Exception {
    List<String> lines = Files.readAllLines(FILE);
    List<Entry> out = new ArrayList<>();
    List<String> comment = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        comment.clear();
      } else if (line.startsWith("#")) {
        comment.add(line.substring(1).strip());
      } else {
        int eq = line.indexOf('=');
        assertThat(eq).as("line %d is 'key = value': %s", i + 1, line).isPositive();
        out.add(new Entry(line.substring(0, eq).strip(), line.substring(eq + 1).strip(),
            String.join(" ", comment), i + 1));
        comment.clear();
      }
    }
    return out;
  }

  @Test
  void documentsExactlyTheKeysInOrderWithDescriptionAndDefault() throws Exception {
    List<Entry> entries = entries();
    assertThat(entries).extracting(Entry::key)
        .containsExactlyElementsOf(ConfigKeys.ALL.stream().map(ConfigKey::name).toList());
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      ConfigKey k = ConfigKeys.ALL.get(i);
      assertThat(e.value()).as("default of %s (line %d)", k.name(), e.line())
          .isEqualTo(k.defaultValue());
      assertThat(e.comment()).as("comment above %s (line %d)", k.name(), e.line())
          .isEqualTo(k.description());
    }
  }

  @Test
  void groupsKeysUnderSectionHeaders() throws Exception {
    String text = Files.readString(FILE);
    int network = text.indexOf("# Network parameters");
    int node = text.indexOf("# The node");
    int frontend = text.indexOf("# The DNS front-end");
    int cli = text.indexOf("# The command line client");
    assertThat(List.of(network, node, frontend, cli)).doesNotContain(-1).isSorted();
    assertThat(text.substring(network, node)).contains("network id")
        .contains("every node of a network must use the same values");
    assertThat(text.indexOf("network.suffixes =")).isBetween(network, node);
    assertThat(text.indexOf("node.data-dir =")).isBetween(node, frontend);
    assertThat(text.indexOf("frontend.listen =")).isBetween(frontend, cli);
    assertThat(text.indexOf("cli.node =")).isGreaterThan(cli);
  }

  @Test
  void loadsAsAConfigEqualToTheBuiltInDefaults() throws Exception {
    Config fromFile = Config.builder().file(FILE).build();
    assertThat(fromFile.asMap()).isEqualTo(Config.defaults().asMap());
  }
}
