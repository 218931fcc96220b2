package org.p2pdns.node.records;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.node.store.SideTables;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.node.store.StorageException;

/**
 * What only this node can know of ownership, because it depends on when things reached it
 * (docs/protocol.md 1.11): the commitments it witnessed live and when, since when it holds each
 * lineage of a name and which commitment time it counts for it, since when it holds each
 * hand-over link, and the last contest outcome of each name (for {@code p2pdns show}).
 *
 * <p>Kept in the node's database file (tables {@code commitments}, {@code lineages}, {@code
 * handover_links}, {@code contests}), with {@code synchronous=FULL}. Commitments go through a
 * connection of its own; the lineage, link and contest rows of a batch are written by the record
 * store in the transaction of the batch's records ({@link #writes}), so a record on disk always
 * has its history after a crash or {@code kill -9}, and a batch costs one disk sync. A record
 * without a history row (a database from before these tables) counts as held since forever.
 * Thread-safe: writes hold the object's lock; reads come from memory without it.
 */
public final class OwnershipHistory implements AutoCloseable {
  private static final String[] SCHEMA = {
      """
      CREATE TABLE IF NOT EXISTS commitments (
        hash         BLOB    NOT NULL,
        committed_at INTEGER NOT NULL,
        witnessed_at INTEGER NOT NULL,
        PRIMARY KEY (hash, committed_at))""",
      """
      CREATE TABLE IF NOT EXISTS lineages (
        name       TEXT    NOT NULL,
        lineage    BLOB    NOT NULL,
        held_since INTEGER NOT NULL,
        rank_time  INTEGER,
        PRIMARY KEY (name, lineage))""",
      """
      CREATE TABLE IF NOT EXISTS handover_links (
        name       TEXT    NOT NULL,
        signature  BLOB    NOT NULL,
        held_since INTEGER NOT NULL,
        PRIMARY KEY (name, signature))""",
      """
      CREATE TABLE IF NOT EXISTS contests (
        name TEXT PRIMARY KEY,
        note TEXT    NOT NULL,
        at   INTEGER NOT NULL)"""};
  /** Most commitments kept at once; more are refused until old ones expire. */
  public static final int MAX_COMMITMENTS = 200_000;

  private static final HexFormat HEX = HexFormat.of();

  /** Since when this node holds a lineage, and the commitment time it counts for it. */
  public record LineageRow(long heldSince, Long rankTime) {}

  /** A lineage or link first stored in a batch, or a contest outcome: written with the batch. */
  public sealed interface Change {
    /** {@code renewed}: the lineage claims the name anew after it lapsed; the row is replaced. */
    record Lineage(String name, byte[] lineage, long heldSince, Long rankTime, boolean renewed)
        implements Change {}

    record Link(String name, byte[] signature, long heldSince) implements Change {}

    record Contest(String name, String note, long at) implements Change {}
  }

  private final Connection db;
  // Concurrent maps: reads (lookups, on the query threads) take no lock; writes hold this
  // object's lock and change a map only after the database committed.
  private final Map<String, Long> commitments = new ConcurrentHashMap<>();
  private final Map<String, LineageRow> lineages = new ConcurrentHashMap<>();
  private final Map<String, Long> links = new ConcurrentHashMap<>();
  private final Map<String, String> contests = new ConcurrentHashMap<>();

  private OwnershipHistory(Connection db) {
    this.db = db;
  }

  /** Opens (creating when needed) the tables in {@code dbFile} and loads them. */
  public static OwnershipHistory open(Path dbFile) throws StorageException {
    try {
      Connection c = SideTables.open(dbFile, SideTables.Sync.FULL, SCHEMA);
      OwnershipHistory h = new OwnershipHistory(c);
      try (Statement s = c.createStatement()) {
        h.load(s);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return h;
    } catch (SQLException e) {
      throw new StorageException("cannot open the ownership history in " + dbFile + ": "
          + e.getMessage(), e);
    }
  }

  private void load(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT hash, committed_at, witnessed_at FROM commitments")) {
      while (rs.next()) {
        commitments.put(commitmentKey(rs.getBytes(1), rs.getLong(2)), rs.getLong(3));
      }
    }
    try (ResultSet rs = s.executeQuery("SELECT name, lineage, held_since, rank_time FROM lineages")) {
      while (rs.next()) {
        long rank = rs.getLong(4);
        Long rankTime = rs.wasNull() ? null : rank;
        lineages.put(lineageKey(rs.getString(1), rs.getBytes(2)),
            new LineageRow(rs.getLong(3), rankTime));
      }
    }
    try (ResultSet rs = s.executeQuery("SELECT name, signature, held_since FROM handover_links")) {
      while (rs.next()) {
        links.put(lineageKey(rs.getString(1), rs.getBytes(2)), rs.getLong(3));
      }
    }
    try (ResultSet rs = s.executeQuery("SELECT name, note FROM contests")) {
      while (rs.next()) {
        contests.put(rs.getString(1), rs.getString(2));
      }
    }
  }

  private static String commitmentKey(byte[] hash, long committedAt) {
    return HEX.formatHex(hash) + "@" + committedAt;
  }

  private static String lineageKey(String name, byte[] id) {
    return name + " " + HEX.formatHex(id);
  }

  /** When this node witnessed the commitment live, if it did and still keeps it. */
  public Optional<Long> witnessed(byte[] hash, long committedAt) {
    return Optional.ofNullable(commitments.get(commitmentKey(hash, committedAt)));
  }

  /** Whether the commitment was new here (and is now kept); false when already held. */
  public synchronized boolean keepCommitment(Commitment c, long witnessedAt)
      throws StorageException {
    String key = commitmentKey(c.hash(), c.committedAt());
    if (commitments.containsKey(key)) {
      return false;
    }
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT OR IGNORE INTO commitments (hash, committed_at, witnessed_at) VALUES (?, ?, ?)")) {
      ps.setBytes(1, c.hash());
      ps.setLong(2, c.committedAt());
      ps.setLong(3, witnessedAt);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StorageException("cannot keep a commitment: " + e.getMessage(), e);
    }
    commitments.put(key, witnessedAt);
    return true;
  }

  public int commitmentCount() {
    return commitments.size();
  }

  /** Forgets commitments made before {@code before} (Unix seconds): they can no longer win. */
  public synchronized void forgetCommitmentsBefore(long before) throws StorageException {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM commitments WHERE committed_at < ?")) {
      ps.setLong(1, before);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StorageException("cannot forget old commitments: " + e.getMessage(), e);
    }
    commitments.keySet().removeIf(k -> Long.parseLong(k.substring(k.indexOf('@') + 1)) < before);
  }

  /** Since when this node holds the lineage and the time it counts, if it ever stored it. */
  public Optional<LineageRow> lineage(String name, byte[] lineageId) {
    return Optional.ofNullable(lineages.get(lineageKey(name, lineageId)));
  }

  /** Since when this node holds the hand-over link with this signature, if it stored it. */
  public Optional<Long> linkHeldSince(String name, byte[] signature) {
    return Optional.ofNullable(links.get(lineageKey(name, signature)));
  }

  /** The last contest outcome of the name, for people. */
  public Optional<String> contest(String name) {
    return Optional.ofNullable(contests.get(name));
  }

  private static final String INSERT_LINEAGE = "INSERT OR IGNORE INTO lineages "
      + "(name, lineage, held_since, rank_time) VALUES (?, ?, ?, ?)";
  private static final String REPLACE_LINEAGE = "INSERT OR REPLACE INTO lineages "
      + "(name, lineage, held_since, rank_time) VALUES (?, ?, ?, ?)";
  private static final String INSERT_LINK = "INSERT OR IGNORE INTO handover_links "
      + "(name, signature, held_since) VALUES (?, ?, ?)";
  private static final String REPLACE_CONTEST = "INSERT OR REPLACE INTO contests "
      + "(name, note, at) VALUES (?, ?, ?)";

  /**
   * The rows that write {@code changes}: the record service commits them in the transaction of
   * the batch they describe ({@link RecordStore#putAll(List, List, List)}), then calls {@link
   * #kept}. A record on disk thus always has its held-since times.
   */
  public static List<RecordStore.SideWrite> writes(List<Change> changes) {
    List<RecordStore.SideWrite> out = new ArrayList<>(changes.size());
    for (Change c : changes) {
      if (c instanceof Change.Lineage l) {
        out.add(RecordStore.SideWrite.of(l.renewed() ? REPLACE_LINEAGE : INSERT_LINEAGE,
            l.name(), l.lineage(), l.heldSince(), l.rankTime()));
      } else if (c instanceof Change.Link l) {
        out.add(RecordStore.SideWrite.of(INSERT_LINK, l.name(), l.signature(), l.heldSince()));
      } else if (c instanceof Change.Contest k) {
        out.add(RecordStore.SideWrite.of(REPLACE_CONTEST, k.name(), k.note(), k.at()));
      }
    }
    return out;
  }

  /** Takes {@code changes} into memory once {@link #writes} of them are committed. */
  public synchronized void kept(List<Change> changes) {
    for (Change c : changes) {
      if (c instanceof Change.Lineage l) {
        LineageRow row = new LineageRow(l.heldSince(), l.rankTime());
        if (l.renewed()) {
          lineages.put(lineageKey(l.name(), l.lineage()), row);
        } else {
          lineages.putIfAbsent(lineageKey(l.name(), l.lineage()), row);
        }
      } else if (c instanceof Change.Link l) {
        links.putIfAbsent(lineageKey(l.name(), l.signature()), l.heldSince());
      } else if (c instanceof Change.Contest k) {
        contests.put(k.name(), k.note());
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // Closing: nothing left to lose.
    }
  }
}
