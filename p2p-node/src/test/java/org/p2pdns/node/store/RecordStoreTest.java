package org.p2pdns.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.testing.MutableClock;

class RecordStoreTest {
  private static final long NOW = 1_790_000_000L;
  private static final TestNetwork NET = new TestNetwork();
  private static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(NOW);

  private static SignedRecord claim(String name) {
    return NET.claim(OWNER, name, NOW, TestNetwork.rrs(name, "@ 300 IN A 192.0.2.1"));
  }

  @Test
  void storedRecordsAndEvidenceReadBackAfterReopening() throws Exception {
    SignedRecord b = claim("bravo.p2p");
    SignedRecord a = claim("alpha.p2p");
    SignedRecord a2 = NET.update(a, OWNER, NOW, TestNetwork.rrs("alpha.p2p",
        "@ 300 IN A 192.0.2.2"));
    SignedRecord a2other = NET.update(a, OWNER, NOW, TestNetwork.rrs("alpha.p2p",
        "@ 300 IN A 192.0.2.3"));
    Path file = dir.resolve(RecordStore.FILE_NAME);
    try (RecordStore store = RecordStore.open(file, clock)) {
      store.put(b, Optional.empty());
      store.put(a, Optional.empty());
      store.put(a2, Optional.of(a2other));
    }
    try (RecordStore store = RecordStore.open(file, clock)) {
      RecordStore.Contents c = store.loadAll();
      assertThat(c.records()).containsExactly(a2, b);
      assertThat(c.evidence()).containsEntry("alpha.p2p", a2other).hasSize(1);
      assertThat(c.skippedRows()).isZero();
      assertThat(store.get("alpha.p2p")).contains(a2);
      assertThat(store.get("charlie.p2p")).isEmpty();
      assertThat(store.evidence("alpha.p2p")).contains(a2other);
      assertThat(store.count()).isEqualTo(2);
      List<RecordStore.NameDigest> page = store.digests("", 10);
      assertThat(page).extracting(RecordStore.NameDigest::name)
          .containsExactly("alpha.p2p", "bravo.p2p");
      assertThat(page.get(0).digest()).isEqualTo(a2.digest());
      assertThat(store.digests("alpha.p2p", 10)).extracting(RecordStore.NameDigest::name)
          .containsExactly("bravo.p2p");
    }
  }

  @Test
  void aRowThatNoLongerDecodesIsSkippedAndTheRestLoad() throws Exception {
    SignedRecord good = claim("good.p2p");
    SignedRecord other = claim("other.p2p");
    Path file = dir.resolve(RecordStore.FILE_NAME);
    try (RecordStore store = RecordStore.open(file, clock)) {
      store.put(good, Optional.empty());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps = c.prepareStatement("INSERT INTO records (name, serial, owner_key,"
            + " digest, expires, kind, body, stored_at) VALUES (?, 1, x'00', x'00', 0, 0, ?, 0)")) {
      ps.setString(1, "garbage.p2p");
      ps.setBytes(2, new byte[] {1, 2, 3, 4, 5});
      ps.executeUpdate();
      // A valid record filed under the wrong name is as wrong as garbage.
      ps.setString(1, "misfiled.p2p");
      ps.setBytes(2, other.encoded());
      ps.executeUpdate();
    }
    try (RecordStore store = RecordStore.open(file, clock)) {
      RecordStore.Contents c = store.loadAll();
      assertThat(c.records()).containsExactly(good);
      assertThat(c.skippedRows()).isEqualTo(2);
      // The store still works after skipping: a valid version replaces the damaged row.
      store.put(claim("garbage.p2p"), Optional.empty());
      assertThat(store.loadAll().records()).hasSize(2);
    }
  }

  @Test
  void aFullDatabaseRefusesTheWriteAndKeepsWhatWasStored() throws Exception {
    Path file = dir.resolve(RecordStore.FILE_NAME);
    List<SignedRecord> stored = new ArrayList<>();
    StorageException full = null;
    SignedRecord refused = null;
    String bigText = "x".repeat(250);
    try (RecordStore store = RecordStore.open(file, clock, 48 * 1024)) {
      for (int i = 0; i < 500 && full == null; i++) {
        String name = "name" + i + ".p2p";
        SignedRecord r = NET.claim(OWNER, name, NOW, TestNetwork.rrs(name,
            "@ 300 IN TXT \"" + bigText + "\"", "a 300 IN TXT \"" + bigText + "\"",
            "b 300 IN TXT \"" + bigText + "\""));
        try {
          store.put(r, Optional.empty());
          stored.add(r);
        } catch (StorageException e) {
          full = e;
          refused = r;
        }
      }
      assertThat(full).as("the capped database fills up").isNotNull();
      assertThat(full.getMessage()).contains("full").contains(file.toString());
      assertThat(stored).isNotEmpty();
      // Nothing of the refused write is there, everything before it is.
      assertThat(store.count()).isEqualTo(stored.size());
      assertThat(store.get(stored.get(0).name())).contains(stored.get(0));
      // Still refused, and still readable, on the next attempt.
      SignedRecord again = refused;
      assertThatThrownBy(() -> store.put(again, Optional.empty()))
          .isInstanceOf(StorageException.class);
      assertThat(store.get(again.name())).isEmpty();
      assertThat(store.get(stored.get(stored.size() - 1).name()))
          .contains(stored.get(stored.size() - 1));
    }
    try (RecordStore store = RecordStore.open(file, clock)) {
      assertThat(store.loadAll().records()).containsExactlyInAnyOrderElementsOf(stored);
    }
  }

  @Test
  void aDatabaseFromANewerSchemaIsRefusedWithAClearMessage() throws Exception {
    Path file = dir.resolve(RecordStore.FILE_NAME);
    RecordStore.open(file, clock).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      c.createStatement().execute("INSERT INTO schema_version (version) VALUES (99)");
    }
    assertThatThrownBy(() -> RecordStore.open(file, clock))
        .isInstanceOf(StorageException.class).hasMessageContaining("schema version 99");
  }
}
