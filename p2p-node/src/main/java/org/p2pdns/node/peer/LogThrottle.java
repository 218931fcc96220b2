package org.p2pdns.node.peer;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets a log line about a remote party through at most once per interval per key (a remote
 * address), so a peer cannot flood the log; the rest go to DEBUG. Holds a bounded number of keys.
 */
final class LogThrottle {
  private static final int MAX_KEYS = 1024;

  private final Clock clock;
  private final long intervalMillis;
  private final Map<String, Long> lastAllowed = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_KEYS;
    }
  };

  LogThrottle(Clock clock, java.time.Duration interval) {
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
  }

  synchronized boolean allow(String key) {
    long now = clock.millis();
    Long last = lastAllowed.get(key);
    if (last != null && now - last < intervalMillis) {
      return false;
    }
    lastAllowed.put(key, now);
    return true;
  }
}
