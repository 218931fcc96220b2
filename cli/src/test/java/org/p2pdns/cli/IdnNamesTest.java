package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.p2pdns.cli.records.IdnNames;

class IdnNamesTest {
  @Test
  void uLabelsBecomeALabels() throws Exception {
    assertThat(IdnNames.toAscii("bücher.p2p")).isEqualTo("xn--bcher-kva.p2p");
    assertThat(IdnNames.toAscii("Bücher.P2P.")).isEqualTo("xn--bcher-kva.p2p");
    assertThat(IdnNames.toAscii("日本語.p2p")).isEqualTo("xn--wgv71a119e.p2p");
    // Full-width dots separate labels in UTS #46.
    assertThat(IdnNames.toAscii("bücher。p2p")).isEqualTo("xn--bcher-kva.p2p");
  }

  @Test
  void nontransitionalProcessingKeepsSharpS() throws Exception {
    // IDNA2003 (java.net.IDN) maps ß to "ss": fass.p2p, another name. UTS #46 nontransitional
    // keeps it, as IDNA2008 registries and browsers do.
    assertThat(IdnNames.toAscii("faß.p2p")).isEqualTo("xn--fa-hia.p2p");
    assertThat(java.net.IDN.toASCII("faß.p2p")).isEqualTo("fass.p2p");
  }

  @Test
  void asciiNamesAreOnlyLowerCasedSoServiceLabelsAndWildcardsSurvive() throws Exception {
    assertThat(IdnNames.toAscii("Example.P2P")).isEqualTo("example.p2p");
    assertThat(IdnNames.toAscii("_443._tcp.example.p2p")).isEqualTo("_443._tcp.example.p2p");
    assertThat(IdnNames.toAscii("*.example.p2p.")).isEqualTo("*.example.p2p");
  }

  @Test
  void invalidInternationalizedNamesAreUsageErrors() {
    // A right-to-left label mixed with left-to-right characters breaks the bidi rule.
    assertThatThrownBy(() -> IdnNames.toAscii("aשb.p2p")).isInstanceOf(CliException.class)
        .hasMessageContaining("UTS #46")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
    // A zero-width joiner outside its allowed context (CONTEXTJ).
    assertThatThrownBy(() -> IdnNames.toAscii("a\u200db.p2p")).isInstanceOf(CliException.class);
    assertThatThrownBy(() -> IdnNames.toAscii("  ")).isInstanceOf(CliException.class);
  }

  @Test
  void aLabelsShowInUnicode() {
    assertThat(IdnNames.toUnicode("xn--bcher-kva.p2p")).isEqualTo("bücher.p2p");
    assertThat(IdnNames.toUnicode("example.p2p")).isEqualTo("example.p2p");
  }
}
