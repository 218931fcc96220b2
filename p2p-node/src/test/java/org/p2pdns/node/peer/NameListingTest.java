package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.wire.MalformedException;

/** LIST_REQUEST and LIST bytes as docs/protocol.md 3.8b gives them, and what is refused. */
class NameListingTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void aRequestFromTheStartIsTheDocumentedBytes() throws Exception {
    byte[] b = NameListing.encodeRequest(new NameListing.Request(1, "", 4096));
    assertThat(HEX.formatHex(b)).isEqualTo("00000001" + "00" + "1000");
    assertThat(NameListing.decodeRequest(HEX.parseHex("00000007" + "05612e703270" + "0001")))
        .isEqualTo(new NameListing.Request(7, "a.p2p", 1));
    assertThatThrownBy(() -> NameListing.decodeRequest(HEX.parseHex("00000001" + "00" + "1001")))
        .isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> NameListing.decodeRequest(HEX.parseHex("00000001" + "00" + "0000")))
        .isInstanceOf(MalformedException.class);
  }

  @Test
  void aPageIsCheckedForOrderAndEnd() throws Exception {
    String digest = "ab".repeat(32);
    String page = "00000002" + "01" + "0002" + "05612e703270" + digest + "05622e703270" + digest;
    NameListing.Page p = NameListing.decodePage(HEX.parseHex(page), "");
    assertThat(p.more()).isTrue();
    assertThat(p.entries()).extracting(NameListing.Entry::name).containsExactly("a.p2p",
        "b.p2p");
    assertThat(HEX.formatHex(NameListing.encodePage(p))).isEqualTo(page);
    // Names must lie after the requested one and ascend.
    assertThatThrownBy(() -> NameListing.decodePage(HEX.parseHex(page), "a.p2p"))
        .isInstanceOf(MalformedException.class);
    String descending = "00000002" + "00" + "0002" + "05622e703270" + digest + "05612e703270"
        + digest;
    assertThatThrownBy(() -> NameListing.decodePage(HEX.parseHex(descending), ""))
        .isInstanceOf(MalformedException.class);
    // An empty page that says more follows, and trailing bytes.
    assertThatThrownBy(() -> NameListing.decodePage(HEX.parseHex("00000002" + "01" + "0000"),
        "")).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> NameListing.decodePage(HEX.parseHex("00000002" + "00" + "0000"
        + "00"), "")).isInstanceOf(MalformedException.class);
    assertThat(NameListing.decodePage(HEX.parseHex("00000002" + "00" + "0000"), "z.p2p")
        .entries()).isEqualTo(List.of());
  }
}
