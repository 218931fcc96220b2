package org.p2pdns.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration, immutable once built: built-in defaults, then a file, then the environment
 * ({@code P2PDNS_NETWORK_POW_BITS}), then command-line {@code --set key=value}. Built and checked
 * once in each program's {@code main}; nothing deeper reads files or system properties.
 *
 * <p>File syntax: one {@code key = value} a line; {@code #} starts a comment line; blank lines
 * are ignored. An unknown key is an error, so a typo never silently does nothing.
 */
public final class Config {
  private final Map<String, String> values;

  private Config(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Config defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The layers every program applies, in their order: defaults, then {@code file} (if not
   * null), then the environment, then {@code --set} assignments. The program's own flags go on
   * top of the returned builder.
   */
  public static Builder layered(Path file, Map<String, String> environment,
      List<String> assignments) throws ConfigException {
    Builder b = builder();
    if (file != null) {
      b.file(file);
    }
    b.environment(environment);
    for (String a : assignments) {
      b.setAssignment(a);
    }
    return b;
  }

  public String get(ConfigKey key) {
    String v = values.get(key.name());
    if (v == null) {
      throw new IllegalArgumentException("unknown key " + key.name());
    }
    return v;
  }

  public Map<String, String> asMap() {
    return values;
  }

  public int getInt(ConfigKey key, int min, int max) throws ConfigException {
    String v = get(key).trim();
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + ": '" + v + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new ConfigException(key.name() + ": " + n + " is outside " + min + ".." + max);
    }
    return n;
  }

  public Duration getDuration(ConfigKey key) throws ConfigException {
    try {
      return parseDuration(get(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key.name() + ": " + e.getMessage());
    }
  }

  /** A comma-separated list, trimmed, empty items dropped. */
  public List<String> getList(ConfigKey key) {
    List<String> out = new ArrayList<>();
    for (String s : get(key).split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return List.copyOf(out);
  }

  /**
   * The home directory that {@code ~/} means: {@code $HOME} when set, as the scripts and the
   * shell read it, else the JVM's {@code user.home} (from the password database).
   */
  public static Path userHome(Map<String, String> env) {
    String home = env.get("HOME");
    return home != null && !home.isBlank() ? Path.of(home)
        : Path.of(System.getProperty("user.home"));
  }

  /** A path; a leading {@code ~/} is the user's home directory. */
  public Path getPath(ConfigKey key, Path home) {
    return expandHome(get(key).trim(), home);
  }

  public static Path expandHome(String p, Path home) {
    if (p.equals("~")) {
      return home;
    }
    if (p.startsWith("~/")) {
      return home.resolve(p.substring(2));
    }
    return Path.of(p);
  }

  /** Durations: a number and a unit, {@code ms s m h d}; a bare number is seconds. */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (like 30s, 5m, 7d)");
    }
    long n;
    try {
      n = Long.parseLong(t.substring(0, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    String unit = t.substring(i).trim();
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "", "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> throw new IllegalArgumentException(
            "'" + text + "': unknown unit '" + unit + "' (use ms, s, m, h or d)");
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
  }

  /** Collects the layers in order; later layers win. */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();

    private Builder() {
      for (ConfigKey k : ConfigKeys.ALL) {
        values.put(k.name(), k.defaultValue());
      }
    }

    public Builder set(String key, String value) throws ConfigException {
      if (ConfigKeys.byName(key).isEmpty()) {
        throw new ConfigException("unknown configuration key '" + key + "'");
      }
      values.put(key, value.trim());
      return this;
    }

    /** {@code KEY=VALUE}, as given to {@code --set}. */
    public Builder setAssignment(String assignment) throws ConfigException {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("'" + assignment + "' is not KEY=VALUE");
      }
      return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    public Builder file(Path file) throws ConfigException {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new ConfigException("configuration file " + file + " does not exist");
      } catch (IOException e) {
        throw new ConfigException("cannot read configuration file " + file + ": " + e, e);
      }
      int lineNo = 0;
      for (String raw : lines) {
        lineNo++;
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException(file + ":" + lineNo + ": expected 'key = value'");
        }
        String key = line.substring(0, eq).trim();
        try {
          set(key, line.substring(eq + 1));
        } catch (ConfigException e) {
          throw new ConfigException(file + ":" + lineNo + ": " + e.getMessage());
        }
      }
      return this;
    }

    public Builder environment(Map<String, String> env) {
      for (ConfigKey k : ConfigKeys.ALL) {
        String v = env.get(k.environmentVariable());
        if (v != null) {
          values.put(k.name(), v.trim());
        }
      }
      return this;
    }

    public Builder assignments(String... assignments) throws ConfigException {
      for (String a : Arrays.asList(assignments)) {
        setAssignment(a);
      }
      return this;
    }

    public Config build() {
      return new Config(values);
    }
  }
}
