package org.p2pdns.common.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.name.DomainNames;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * The parameters every node of one network must share. Their canonical encoding hashes to the
 * network id; peers compare ids in their handshake, and every signature covers the id, so a record
 * of one network is never valid in another.
 */
public record NetworkParams(
    List<String> suffixes,
    int powBits,
    Duration recordLifetime,
    int maxRecordBytes,
    int maxRrs,
    Duration clockSkew,
    Duration gracePeriod) {

  public static final int MIN_RECORD_BYTES = 512;
  public static final int MAX_RECORD_BYTES = 65_000;

  public NetworkParams {
    suffixes = List.copyOf(suffixes);
    if (suffixes.isEmpty()) {
      throw new IllegalArgumentException("network.suffixes: at least one suffix");
    }
    for (String s : suffixes) {
      if (!s.equals(DomainNames.normalize(s)) || s.isEmpty()) {
        throw new IllegalArgumentException("network.suffixes: '" + s + "' must be lower-case "
            + "without a trailing dot");
      }
      for (String label : s.split("\\.", -1)) {
        if (!DomainNames.isLdhLabel(label)) {
          throw new IllegalArgumentException("network.suffixes: bad label '" + label + "' in '"
              + s + "'");
        }
      }
    }
    for (String a : suffixes) {
      for (String b : suffixes) {
        if (!a.equals(b) && DomainNames.isAtOrBelow(a, b)) {
          throw new IllegalArgumentException("network.suffixes: '" + a + "' lies under '" + b
              + "'");
        }
      }
    }
    if (suffixes.stream().distinct().count() != suffixes.size()) {
      throw new IllegalArgumentException("network.suffixes: duplicate suffix");
    }
    if (powBits < 0 || powBits > 40) {
      throw new IllegalArgumentException("network.pow-bits: " + powBits + " is outside 0..40");
    }
    if (recordLifetime.isNegative() || recordLifetime.compareTo(Duration.ofDays(1)) < 0
        || recordLifetime.compareTo(Duration.ofDays(3650)) > 0) {
      throw new IllegalArgumentException("network.record-lifetime: between 1d and 3650d");
    }
    if (maxRecordBytes < MIN_RECORD_BYTES || maxRecordBytes > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("network.max-record-bytes: between " + MIN_RECORD_BYTES
          + " and " + MAX_RECORD_BYTES);
    }
    if (maxRrs < 1 || maxRrs > 4096) {
      throw new IllegalArgumentException("network.max-rrs: between 1 and 4096");
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("network.clock-skew: between 0 and 24h");
    }
    if (gracePeriod.isNegative() || gracePeriod.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("network.grace-period: between 0 and 365d");
    }
  }

  public static NetworkParams defaults() {
    try {
      return fromConfig(Config.defaults());
    } catch (ConfigException e) {
      throw new IllegalStateException("built-in defaults are valid", e);
    }
  }

  public static NetworkParams fromConfig(Config config) throws ConfigException {
    List<String> suffixes = new ArrayList<>();
    for (String s : config.getList(ConfigKeys.NETWORK_SUFFIXES)) {
      suffixes.add(DomainNames.normalize(s));
    }
    try {
      return new NetworkParams(suffixes,
          config.getInt(ConfigKeys.NETWORK_POW_BITS, 0, 40),
          config.getDuration(ConfigKeys.NETWORK_RECORD_LIFETIME),
          config.getInt(ConfigKeys.NETWORK_MAX_RECORD_BYTES, 0, Integer.MAX_VALUE),
          config.getInt(ConfigKeys.NETWORK_MAX_RRS, 0, Integer.MAX_VALUE),
          config.getDuration(ConfigKeys.NETWORK_CLOCK_SKEW),
          config.getDuration(ConfigKeys.NETWORK_GRACE_PERIOD));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  public NetworkParams withPowBits(int bits) {
    return new NetworkParams(suffixes, bits, recordLifetime, maxRecordBytes, maxRrs, clockSkew,
        gracePeriod);
  }

  /** Canonical bytes: format version, then each field in declaration order. */
  public byte[] encode() {
    WireWriter w = new WireWriter(64).u8(1).u8(suffixes.size());
    for (String s : suffixes) {
      w.string16(s);
    }
    return w.u8(powBits).i64(recordLifetime.toSeconds()).u32(maxRecordBytes).u16(maxRrs)
        .i64(clockSkew.toSeconds()).i64(gracePeriod.toSeconds()).toByteArray();
  }

  public static NetworkParams decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    int version = r.u8("params version");
    if (version != 1) {
      throw new MalformedException("unknown network parameters version " + version);
    }
    int n = r.u8("suffix count");
    List<String> suffixes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      suffixes.add(r.string16("suffix"));
    }
    int pow = r.u8("pow bits");
    long lifetime = r.i64("lifetime");
    long maxBytes = r.u32("max record bytes");
    int maxRrs = r.u16("max rrs");
    long skew = r.i64("clock skew");
    long grace = r.i64("grace period");
    r.expectEnd("network parameters");
    try {
      return new NetworkParams(suffixes, pow, Duration.ofSeconds(lifetime), (int) maxBytes,
          maxRrs, Duration.ofSeconds(skew), Duration.ofSeconds(grace));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new MalformedException("bad network parameters: " + e.getMessage(), e);
    }
  }

  /** SHA-256 over the canonical bytes. */
  public byte[] networkId() {
    return Hashes.sha256("p2pdns-network-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        encode());
  }
}
