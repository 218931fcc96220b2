package org.p2pdns.node.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.NodeIds;

class NodeIdentityTest {
  @TempDir
  Path dir;

  @Test
  void theFirstStartMakesAPrivateKeyAndLaterStartsReadTheSameOne() throws Exception {
    Path dataDir = dir.resolve("a/b/data");
    NodeIdentity.prepareDataDir(dataDir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)))
        .isEqualTo("rwx------");

    NodeIdentity first = NodeIdentity.loadOrCreate(dataDir);
    Path key = dataDir.resolve(NodeIdentity.KEY_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(key)).contains("BEGIN PRIVATE KEY");
    assertThat(first.nodeId()).isEqualTo(NodeIds.idOf(first.publicKey()));
    assertThat(NodeIds.isNodeId(first.nodeId())).isTrue();

    NodeIdentity again = NodeIdentity.loadOrCreate(dataDir);
    assertThat(again.nodeId()).isEqualTo(first.nodeId());
    assertThat(again.key()).isEqualTo(first.key());
  }

  @Test
  void aDataDirThatIsAFileIsAClearError() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> NodeIdentity.prepareDataDir(file))
        .isInstanceOf(IOException.class).hasMessageContaining("not a directory")
        .hasMessageContaining(file.toString());
  }

  @Test
  void aDataDirThatCannotBeCreatedIsAClearError() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Path below = file.resolve("data");
    assertThatThrownBy(() -> NodeIdentity.prepareDataDir(below))
        .isInstanceOf(IOException.class).hasMessageContaining("cannot create the data dir")
        .hasMessageContaining(below.toString());
  }

  @Test
  void aDamagedKeyFileIsAClearError() throws Exception {
    Files.writeString(dir.resolve(NodeIdentity.KEY_FILE), "not a key");
    assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
        .isInstanceOf(IOException.class).hasMessageContaining("node key")
        .hasMessageContaining(NodeIdentity.KEY_FILE);
  }
}
