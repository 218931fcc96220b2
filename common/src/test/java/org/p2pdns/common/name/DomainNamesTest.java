package org.p2pdns.common.name;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DomainNamesTest {
  private static final List<String> SUFFIXES = List.of("p2p", "alt", "zone.alt");

  @Test
  void normalizeLowerCasesAndStripsOneTrailingDot() {
    assertThat(DomainNames.normalize(" Example.P2P. ")).isEqualTo("example.p2p");
    assertThat(DomainNames.normalize("example.p2p")).isEqualTo("example.p2p");
    assertThat(DomainNames.normalize("a..")).isEqualTo("a.");
    // Locale-independent: the Turkish dotless i never appears.
    assertThat(DomainNames.normalize("I.P2P")).isEqualTo("i.p2p");
  }

  @Test
  void ldhLabels() {
    assertThat(DomainNames.isLdhLabel("a")).isTrue();
    assertThat(DomainNames.isLdhLabel("a-b")).isTrue();
    assertThat(DomainNames.isLdhLabel("0day")).isTrue();
    assertThat(DomainNames.isLdhLabel("xn--bcher-kva")).isTrue();
    assertThat(DomainNames.isLdhLabel("a".repeat(63))).isTrue();
    assertThat(DomainNames.isLdhLabel("a".repeat(64))).isFalse();
    assertThat(DomainNames.isLdhLabel("")).isFalse();
    assertThat(DomainNames.isLdhLabel("-a")).isFalse();
    assertThat(DomainNames.isLdhLabel("a-")).isFalse();
    assertThat(DomainNames.isLdhLabel("A")).isFalse();
    assertThat(DomainNames.isLdhLabel("a_b")).isFalse();
    assertThat(DomainNames.isLdhLabel("b\u00fccher")).isFalse();
    assertThat(DomainNames.isLdhLabel("*")).isFalse();
  }

  @Test
  void subtreeLabels() {
    assertThat(DomainNames.isSubtreeLabel("*")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_443")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_tcp")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_dmarc")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_a_b-c")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("www")).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_")).isFalse();
    assertThat(DomainNames.isSubtreeLabel("_" + "a".repeat(62))).isTrue();
    assertThat(DomainNames.isSubtreeLabel("_" + "a".repeat(63))).isFalse();
    assertThat(DomainNames.isSubtreeLabel("_TCP")).isFalse();
    assertThat(DomainNames.isSubtreeLabel("**")).isFalse();
    assertThat(DomainNames.isSubtreeLabel("a*")).isFalse();
    assertThat(DomainNames.isSubtreeLabel("")).isFalse();
  }

  @Test
  void atOrBelowNeedsALabelBoundary() {
    assertThat(DomainNames.isAtOrBelow("example.p2p", "example.p2p")).isTrue();
    assertThat(DomainNames.isAtOrBelow("www.example.p2p", "example.p2p")).isTrue();
    assertThat(DomainNames.isAtOrBelow("badexample.p2p", "example.p2p")).isFalse();
    assertThat(DomainNames.isAtOrBelow("p2p", "example.p2p")).isFalse();
  }

  @Test
  void suffixOfPrefersTheLongestSuffix() {
    assertThat(DomainNames.suffixOf("a.zone.alt", SUFFIXES)).contains("zone.alt");
    assertThat(DomainNames.suffixOf("a.alt", SUFFIXES)).contains("alt");
    assertThat(DomainNames.suffixOf("p2p", SUFFIXES)).contains("p2p");
    assertThat(DomainNames.suffixOf("example.com", SUFFIXES)).isEmpty();
    assertThat(DomainNames.suffixOf("xp2p", SUFFIXES)).isEmpty();
  }

  @Test
  void registrableOfFindsTheOwningName() {
    assertThat(DomainNames.registrableOf("_443._tcp.www.example.p2p", SUFFIXES))
        .contains("example.p2p");
    assertThat(DomainNames.registrableOf("example.p2p", SUFFIXES)).contains("example.p2p");
    assertThat(DomainNames.registrableOf("www.a.zone.alt", SUFFIXES)).contains("a.zone.alt");
    assertThat(DomainNames.registrableOf("p2p", SUFFIXES)).isEmpty();
    assertThat(DomainNames.registrableOf("example.com", SUFFIXES)).isEmpty();
  }

  @Test
  void registrableProblems() {
    assertThat(DomainNames.registrableProblem("example.p2p", SUFFIXES)).isEmpty();
    assertThat(DomainNames.registrableProblem("a.zone.alt", SUFFIXES)).isEmpty();
    assertThat(DomainNames.registrableProblem("xn--bcher-kva.p2p", SUFFIXES)).isEmpty();
    assertThat(DomainNames.registrableProblem("Example.p2p", SUFFIXES).orElseThrow())
        .contains("lower-case");
    assertThat(DomainNames.registrableProblem("example.p2p.", SUFFIXES).orElseThrow())
        .contains("trailing dot");
    assertThat(DomainNames.registrableProblem("", SUFFIXES)).isPresent();
    assertThat(DomainNames.registrableProblem("example.com", SUFFIXES).orElseThrow())
        .contains("not under a network suffix");
    assertThat(DomainNames.registrableProblem("zone.alt", SUFFIXES).orElseThrow())
        .contains("itself cannot be registered");
    assertThat(DomainNames.registrableProblem("www.example.p2p", SUFFIXES).orElseThrow())
        .contains("only one label").contains("inside example.p2p");
    assertThat(DomainNames.registrableProblem("-x.p2p", SUFFIXES).orElseThrow())
        .contains("label '-x'");
    assertThat(DomainNames.registrableProblem("*.p2p", SUFFIXES)).isPresent();
    assertThat(DomainNames.registrableProblem("_x.p2p", SUFFIXES)).isPresent();
    String tooLong = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "."
        + "d".repeat(60) + ".p2p";
    assertThat(tooLong.length()).isGreaterThan(DomainNames.MAX_NAME_LENGTH);
    assertThat(DomainNames.registrableProblem(tooLong, SUFFIXES).orElseThrow())
        .contains("longer than 253");
  }

  @Test
  void subtreeProblems() {
    String reg = "example.p2p";
    for (String ok : List.of("example.p2p", "www.example.p2p", "*.example.p2p",
        "*.users.example.p2p", "_443._tcp.www.example.p2p", "a.b.c.example.p2p")) {
      assertThat(DomainNames.subtreeProblem(ok, reg)).as(ok).isEmpty();
    }
    assertThat(DomainNames.subtreeProblem("other.p2p", reg).orElseThrow())
        .contains("lies outside example.p2p");
    assertThat(DomainNames.subtreeProblem("badexample.p2p", reg)).isPresent();
    assertThat(DomainNames.subtreeProblem("p2p", reg)).isPresent();
    assertThat(DomainNames.subtreeProblem("a.*.example.p2p", reg).orElseThrow())
        .contains("wildcard must be the leftmost label");
    assertThat(DomainNames.subtreeProblem("a..example.p2p", reg).orElseThrow())
        .contains("bad label ''");
    assertThat(DomainNames.subtreeProblem("a b.example.p2p", reg).orElseThrow())
        .contains("bad label 'a b'");
    assertThat(DomainNames.subtreeProblem("a\\.b.example.p2p", reg)).isPresent();
    String longName = ("a".repeat(63) + ".").repeat(3) + "b".repeat(50) + "." + reg;
    assertThat(longName.length()).isGreaterThan(DomainNames.MAX_NAME_LENGTH);
    assertThat(DomainNames.subtreeProblem(longName, reg).orElseThrow()).contains("longer than");
  }
}
