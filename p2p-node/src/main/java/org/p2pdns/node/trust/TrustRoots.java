package org.p2pdns.node.trust;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.query.NodeRequest;

/**
 * The operator's trust from configuration: {@code node.trust = NODEID=WEIGHT,...}. Weights are
 * kept in thousandths (a weight of 1.5 is 1500), from 0 to {@link #MAX_WEIGHT_MILLI}.
 */
public final class TrustRoots {
  public static final long MAX_WEIGHT_MILLI = NodeRequest.Trust.MAX_WEIGHT_MILLI;

  private TrustRoots() {}

  /**
   * Parses the entries of {@code node.trust}. Throws {@link IllegalArgumentException} naming the
   * entry that is wrong.
   */
  public static Map<String, Long> parse(List<String> entries) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String entry : entries) {
      String e = entry.trim();
      int eq = e.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("'" + e + "' is not NODEID=WEIGHT");
      }
      String id = e.substring(0, eq).trim();
      if (!NodeIds.isNodeId(id)) {
        throw new IllegalArgumentException("'" + id + "' in '" + e + "' is not a node id (64 "
            + "lower-case hex digits)");
      }
      long w = parseWeight(e.substring(eq + 1).trim());
      if (out.put(id, w) != null) {
        throw new IllegalArgumentException("node " + id + " is named twice");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A weight for people ({@code 1.5}) in thousandths; at most 3 decimals, 0 to a million. */
  public static long parseWeight(String text) {
    BigDecimal d;
    try {
      d = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("weight '" + text + "' is not a number");
    }
    if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(MAX_WEIGHT_MILLI / 1000)) > 0) {
      throw new IllegalArgumentException("weight " + text + " is outside 0.."
          + MAX_WEIGHT_MILLI / 1000);
    }
    BigDecimal milli = d.movePointRight(3);
    if (milli.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("weight " + text + " has more than 3 decimals");
    }
    return milli.longValueExact();
  }

  /** Thousandths for people: 1500 is "1.5", 2000 is "2". */
  public static String format(long milli) {
    return BigDecimal.valueOf(milli).movePointLeft(3).stripTrailingZeros().toPlainString();
  }
}
