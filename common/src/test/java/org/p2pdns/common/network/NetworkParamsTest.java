package org.p2pdns.common.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.wire.MalformedException;

class NetworkParamsTest {
  private static final NetworkParams DEFAULTS = NetworkParams.defaults();

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertThat(DEFAULTS.suffixes()).containsExactly("p2p");
    assertThat(DEFAULTS.powBits()).isEqualTo(24);
    assertThat(DEFAULTS.recordLifetime()).isEqualTo(Duration.ofDays(365));
    assertThat(DEFAULTS.maxRecordBytes()).isEqualTo(8192);
    assertThat(DEFAULTS.maxRrs()).isEqualTo(256);
    assertThat(DEFAULTS.clockSkew()).isEqualTo(Duration.ofMinutes(2));
    assertThat(DEFAULTS.gracePeriod()).isEqualTo(Duration.ofDays(7));
  }

  /** Pins the encoding of docs/protocol.md 1.8 with bytes written by hand. */
  @Test
  void encodingOfTheDefaultsIsPinned() {
    String expected = "01" + "01" + "0003" + "703270" + "18" + "0000000001e13380" + "00002000"
        + "0100" + "0000000000000078" + "0000000000093a80";
    assertThat(HexFormat.of().formatHex(DEFAULTS.encode())).isEqualTo(expected);
    byte[] id = Hashes.sha256("p2pdns-network-v1".getBytes(StandardCharsets.US_ASCII),
        HexFormat.of().parseHex(expected));
    assertThat(DEFAULTS.networkId()).isEqualTo(id);
    assertThat(HexFormat.of().formatHex(id))
        .isEqualTo("ed0b9eb1491b071243389e3ee3a60e6279ee2e4cf77e8cb1ccf69c3ee1409051");
  }

  @Test
  void encodeDecodeRoundTrips() throws Exception {
    NetworkParams p = new NetworkParams(List.of("p2p", "alt", "example.test"), 13,
        Duration.ofDays(30), 4096, 17, Duration.ofSeconds(90), Duration.ofDays(2));
    NetworkParams d = NetworkParams.decode(p.encode());
    assertThat(d).isEqualTo(p);
    assertThat(d.encode()).isEqualTo(p.encode());
    assertThat(d.networkId()).isEqualTo(p.networkId());
    assertThat(NetworkParams.decode(DEFAULTS.encode())).isEqualTo(DEFAULTS);
  }

  @Test
  void networkIdChangesWithEveryParameter() {
    NetworkParams d = DEFAULTS;
    List<UnaryOperator<NetworkParams>> changes = List.of(
        p -> new NetworkParams(List.of("alt"), p.powBits(), p.recordLifetime(),
            p.maxRecordBytes(), p.maxRrs(), p.clockSkew(), p.gracePeriod()),
        p -> new NetworkParams(List.of("p2p", "alt"), p.powBits(), p.recordLifetime(),
            p.maxRecordBytes(), p.maxRrs(), p.clockSkew(), p.gracePeriod()),
        p -> p.withPowBits(23),
        p -> new NetworkParams(p.suffixes(), p.powBits(), Duration.ofDays(364),
            p.maxRecordBytes(), p.maxRrs(), p.clockSkew(), p.gracePeriod()),
        p -> new NetworkParams(p.suffixes(), p.powBits(), p.recordLifetime(), 8191, p.maxRrs(),
            p.clockSkew(), p.gracePeriod()),
        p -> new NetworkParams(p.suffixes(), p.powBits(), p.recordLifetime(),
            p.maxRecordBytes(), 255, p.clockSkew(), p.gracePeriod()),
        p -> new NetworkParams(p.suffixes(), p.powBits(), p.recordLifetime(),
            p.maxRecordBytes(), p.maxRrs(), Duration.ofSeconds(599), p.gracePeriod()),
        p -> new NetworkParams(p.suffixes(), p.powBits(), p.recordLifetime(),
            p.maxRecordBytes(), p.maxRrs(), p.clockSkew(), Duration.ofSeconds(604_799)));
    List<byte[]> ids = new ArrayList<>();
    ids.add(d.networkId());
    for (UnaryOperator<NetworkParams> change : changes) {
      byte[] id = change.apply(d).networkId();
      for (byte[] seen : ids) {
        assertThat(id).isNotEqualTo(seen);
      }
      ids.add(id);
    }
    // Suffix order is part of the encoding too: a network's config must list them alike.
    NetworkParams ab = new NetworkParams(List.of("a", "b"), 1, Duration.ofDays(1), 512, 1,
        Duration.ZERO, Duration.ZERO);
    NetworkParams ba = new NetworkParams(List.of("b", "a"), 1, Duration.ofDays(1), 512, 1,
        Duration.ZERO, Duration.ZERO);
    assertThat(ab.networkId()).isNotEqualTo(ba.networkId());
  }

  @Test
  void invalidParametersAreRefusedNamingTheKey() {
    Duration day = Duration.ofDays(1);
    assertInvalid(() -> new NetworkParams(List.of(), 1, day, 512, 1, day, day),
        "network.suffixes");
    assertInvalid(() -> new NetworkParams(List.of("P2P"), 1, day, 512, 1, day, day),
        "network.suffixes");
    assertInvalid(() -> new NetworkParams(List.of("p2p."), 1, day, 512, 1, day, day),
        "network.suffixes");
    assertInvalid(() -> new NetworkParams(List.of("a..b"), 1, day, 512, 1, day, day),
        "network.suffixes: bad label");
    assertInvalid(() -> new NetworkParams(List.of("-x"), 1, day, 512, 1, day, day),
        "network.suffixes: bad label");
    assertInvalid(() -> new NetworkParams(List.of("p2p", "x.p2p"), 1, day, 512, 1, day, day),
        "lies under");
    assertInvalid(() -> new NetworkParams(List.of("p2p", "p2p"), 1, day, 512, 1, day, day),
        "duplicate");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), -1, day, 512, 1, day, day),
        "network.pow-bits");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 41, day, 512, 1, day, day),
        "network.pow-bits");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, Duration.ofHours(23), 512, 1, day,
        day), "network.record-lifetime");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, Duration.ofDays(3651), 512, 1, day,
        day), "network.record-lifetime");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 511, 1, day, day),
        "network.max-record-bytes");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 65_001, 1, day, day),
        "network.max-record-bytes");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 512, 0, day, day),
        "network.max-rrs");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 512, 4097, day, day),
        "network.max-rrs");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 512, 1, Duration.ofSeconds(-1),
        day), "network.clock-skew");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 512, 1, Duration.ofHours(25),
        day), "network.clock-skew");
    assertInvalid(() -> new NetworkParams(List.of("p2p"), 1, day, 512, 1, day,
        Duration.ofDays(366)), "network.grace-period");
    // The extremes are allowed.
    new NetworkParams(List.of("p2p"), 0, day, 512, 1, Duration.ZERO, Duration.ZERO);
    new NetworkParams(List.of("p2p"), 40, Duration.ofDays(3650), 65_000, 4096,
        Duration.ofHours(24), Duration.ofDays(365));
  }

  private static void assertInvalid(Runnable make, String messagePart) {
    assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(messagePart);
  }

  @Test
  void fromConfigReadsTheNetworkKeys() throws Exception {
    Config c = Config.builder().assignments("network.suffixes=P2P., alt", "network.pow-bits=8",
        "network.record-lifetime=30d", "network.max-record-bytes=4000", "network.max-rrs=10",
        "network.clock-skew=1m", "network.grace-period=1d").build();
    NetworkParams p = NetworkParams.fromConfig(c);
    assertThat(p).isEqualTo(new NetworkParams(List.of("p2p", "alt"), 8, Duration.ofDays(30), 4000,
        10, Duration.ofMinutes(1), Duration.ofDays(1)));
  }

  @Test
  void fromConfigRefusesBadValuesNamingTheKey() throws Exception {
    assertThatThrownBy(() -> NetworkParams.fromConfig(Config.builder()
        .assignments("network.pow-bits=99").build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("network.pow-bits");
    assertThatThrownBy(() -> NetworkParams.fromConfig(Config.builder()
        .assignments("network.record-lifetime=12h").build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("network.record-lifetime");
    assertThatThrownBy(() -> NetworkParams.fromConfig(Config.builder()
        .assignments("network.suffixes=").build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("network.suffixes");
    assertThatThrownBy(() -> NetworkParams.fromConfig(Config.builder()
        .assignments("network.suffixes=bad_suffix").build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("network.suffixes");
  }

  @Test
  void decodeRefusesTruncationsTrailingBytesAndBadValues() {
    byte[] bytes = DEFAULTS.encode();
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> NetworkParams.decode(cut)).isInstanceOf(MalformedException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> NetworkParams.decode(longer)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("trailing");
    byte[] version2 = bytes.clone();
    version2[0] = 2;
    assertThatThrownBy(() -> NetworkParams.decode(version2))
        .isInstanceOf(MalformedException.class).hasMessageContaining("version 2");
    byte[] tooManyBits = bytes.clone();
    tooManyBits[7] = 41; // the pow-bits byte, after 01 01 0003 "p2p"
    assertThatThrownBy(() -> NetworkParams.decode(tooManyBits))
        .isInstanceOf(MalformedException.class).hasMessageContaining("network.pow-bits");
    byte[] hugeMaxBytes = bytes.clone();
    hugeMaxBytes[16] = (byte) 0xff; // the first byte of max-record-bytes
    assertThatThrownBy(() -> NetworkParams.decode(hugeMaxBytes))
        .isInstanceOf(MalformedException.class).hasMessageContaining("max-record-bytes");
  }

  @Test
  void randomBytesOnlyEverFailAsMalformed() {
    Random random = new Random(99);
    byte[] valid = DEFAULTS.encode();
    for (int i = 0; i < 3000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(64)];
        random.nextBytes(input);
      } else {
        input = valid.clone();
        input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
      }
      try {
        NetworkParams p = NetworkParams.decode(input);
        assertThat(p.encode()).isEqualTo(input);
      } catch (MalformedException expected) {
        // The only failure allowed.
      }
    }
  }
}
