package org.p2pdns.cli.command;

import java.time.Duration;
import java.util.Optional;
import org.p2pdns.cli.CliException;
import org.p2pdns.common.config.Config;

/** Durations on the command line, in the configuration's syntax (30s, 5m, 12h, 90d). */
final class Durations {
  private Durations() {}

  static Optional<Duration> parse(String flag, String text) throws CliException {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Config.parseDuration(text));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(flag + ": " + e.getMessage());
    }
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    } else if (s % 3600 == 0) {
      return s / 3600 + "h";
    } else if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
