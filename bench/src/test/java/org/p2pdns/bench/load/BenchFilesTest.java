package org.p2pdns.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class BenchFilesTest {
  private static final BenchNames NAMES = new BenchNames("p2p", 1000, 3600);

  private static List<Record> parseZone(Path file) throws Exception {
    List<Record> out = new ArrayList<>();
    try (Master m = new Master(file.toString())) {
      Record r;
      while ((r = m.nextRecord()) != null) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void namesAndRecordsFollowTheIndex() {
    assertThat(NAMES.name(1)).isEqualTo("n0000001.p2p");
    assertThat(NAMES.name(1000)).isEqualTo("n0001000.p2p");
    assertThat(new BenchNames("alt", 12_345_678, 60).name(5)).isEqualTo("n00000005.alt");
    assertThat(NAMES.rrs(1)).hasSize(1);
    assertThat(NAMES.rrs(1).get(0).rdataToString()).isEqualTo("10.0.0.1");
    assertThat(NAMES.rrs(258).get(0).rdataToString()).isEqualTo("10.0.1.2");
    assertThat(NAMES.rrs(50)).extracting(Record::getType).containsExactly(Type.A, Type.AAAA);
    assertThat(NAMES.rrs(500)).extracting(Record::getType)
        .containsExactly(Type.A, Type.AAAA, Type.TXT);
    assertThat(NAMES.rrs(7)).isEqualTo(NAMES.rrs(7));
    assertThatThrownBy(() -> NAMES.name(0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> NAMES.name(1001)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void theNetworkZoneHoldsExactlyTheRecordsOfTheNames(@TempDir Path dir) throws Exception {
    new BenchFiles(NAMES, 100, 30, 1).writeAll(dir, 5000);
    List<Record> zone = parseZone(dir.resolve("p2p.zone"));
    List<Record> expected = new ArrayList<>();
    for (int i = 1; i <= NAMES.count(); i++) {
      expected.addAll(NAMES.rrs(i));
    }
    assertThat(zone.stream().filter(r -> r.getType() != Type.SOA && r.getType() != Type.NS))
        .containsExactlyElementsOf(expected);
    assertThat(zone).filteredOn(r -> r.getType() == Type.SOA).hasSize(1);

    List<Record> fwd = parseZone(dir.resolve("bench.test.zone"));
    assertThat(fwd).filteredOn(r -> r.getType() == Type.A).hasSize(60);
    assertThat(fwd).filteredOn(r -> r.getName().toString().equals("u000030.bench.test."))
        .singleElement().extracting(Record::getTTL).isEqualTo(0L);
    assertThat(fwd).filteredOn(r -> r.getName().toString().equals("c000030.bench.test."))
        .singleElement().extracting(Record::getTTL).isEqualTo(3600L);
  }

  @Test
  void theColdFileAsksEveryNameOutsideTheWarmUpSetExactlyOnce(@TempDir Path dir)
      throws Exception {
    new BenchFiles(NAMES, 100, 30, 1).writeAll(dir, 5000);
    List<String> once = Files.readAllLines(dir.resolve(BenchFiles.NETWORK_ONCE));
    Set<String> expected = new HashSet<>();
    for (int i = 101; i <= 1000; i++) {
      expected.add(NAMES.name(i) + " A");
    }
    assertThat(once).hasSize(900).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(once).isNotEqualTo(once.stream().sorted().toList());

    List<String> warm = Files.readAllLines(dir.resolve(BenchFiles.NETWORK_WARMUP));
    assertThat(warm).hasSize(500).allSatisfy(l -> assertThat(
        Integer.parseInt(l.substring(1, 8))).isBetween(1, 100));
    List<String> random = Files.readAllLines(dir.resolve(BenchFiles.NETWORK_RANDOM));
    assertThat(random).hasSize(5000).allMatch(l -> l.matches("n\\d{7}\\.p2p A"));
    assertThat(new HashSet<>(random).size()).isGreaterThan(900);
    assertThat(Files.readAllLines(dir.resolve(BenchFiles.FORWARDED)))
        .hasSize(500).allMatch(l -> l.matches("u0000[0-3]\\d\\.bench\\.test A"));
    assertThat(Files.readAllLines(dir.resolve(BenchFiles.FORWARDED_CACHED)))
        .hasSize(500).allMatch(l -> l.startsWith("c"));
  }

  @Test
  void sameSeedSameFiles(@TempDir Path a, @TempDir Path b) throws Exception {
    new BenchFiles(NAMES, 100, 30, 9).writeAll(a, 1000);
    new BenchFiles(NAMES, 100, 30, 9).writeAll(b, 1000);
    assertThat(Files.readAllLines(a.resolve(BenchFiles.NETWORK_RANDOM)))
        .isEqualTo(Files.readAllLines(b.resolve(BenchFiles.NETWORK_RANDOM)));
  }
}
