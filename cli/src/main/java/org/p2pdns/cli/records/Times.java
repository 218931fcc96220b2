package org.p2pdns.cli.records;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Times for people: ISO-8601 in UTC, to the second. */
public final class Times {
  private Times() {}

  public static String iso(long epochSecond) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond));
  }

  public static String isoMillis(long epochMilli) {
    return epochMilli == 0 ? "never"
        : DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochMilli / 1000));
  }
}
