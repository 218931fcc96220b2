package org.p2pdns.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.wire.MalformedException;

class ConnectRequestTest {
  @TempDir
  Path dir;

  @Test
  void connectRoundTripsAndItsMacBindsEveryField() throws Exception {
    ControlKey key = ControlKey.loadOrCreate(dir);
    assertThat(Files.getPosixFilePermissions(dir.resolve(ControlKey.FILE_NAME)))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    // The same file is read back, not replaced.
    ControlKey again = ControlKey.loadOrCreate(dir);
    NodeRequest.Connect c = NodeRequest.Connect.signed(7, "127.0.0.1:8001", 1_000, key);
    assertThat(c.verify(again)).isTrue();

    byte[] frame = NodeQueryCodec.encode(c);
    // version, type 0x07, id, string16 target, issuedAt, 32-byte mac
    assertThat(HexFormat.of().formatHex(frame, 0, 12)).isEqualTo("0107" + "0000000000000007"
        + "000e");
    assertThat(frame).hasSize(10 + 2 + 14 + 8 + 32);
    NodeRequest.Connect back = (NodeRequest.Connect) NodeQueryCodec.decodeRequest(frame);
    assertThat(back.target()).isEqualTo("127.0.0.1:8001");
    assertThat(back.issuedAt()).isEqualTo(1_000);
    assertThat(back.verify(key)).isTrue();

    assertThat(new NodeRequest.Connect(8, c.target(), c.issuedAt(), c.mac()).verify(key))
        .isFalse();
    assertThat(new NodeRequest.Connect(7, "127.0.0.1:8002", c.issuedAt(), c.mac()).verify(key))
        .isFalse();
    assertThat(new NodeRequest.Connect(7, c.target(), 1_001, c.mac()).verify(key)).isFalse();
    assertThat(c.verify(ControlKey.of(new byte[32]))).isFalse();

    NodeResponse.Connect r = new NodeResponse.Connect(7, true, "ab", "connected");
    assertThat(NodeQueryCodec.decodeResponse(NodeQueryCodec.encode(r))).isEqualTo(r);
    byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 1);
    assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(cut))
        .isInstanceOf(MalformedException.class);
  }

  @Test
  void aDamagedKeyFileIsAClearError() throws Exception {
    Files.writeString(dir.resolve(ControlKey.FILE_NAME), "not hex\n");
    assertThatThrownBy(() -> ControlKey.loadOrCreate(dir))
        .hasMessageContaining("64 hex digits");
  }
}
