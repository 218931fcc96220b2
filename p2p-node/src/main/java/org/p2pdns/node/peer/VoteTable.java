package org.p2pdns.node.peer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.p2pdns.node.store.SideTables;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a new node's vote must not forget across a restart (docs/protocol.md 3.8b): whether the
 * vote has ended, and the votes on each contested name. In the node's database file through a
 * connection of its own, tables {@code bootstrap_vote} and {@code contested_votes}; the record
 * store's tables are not touched. Thread-safe (one lock around the connection); writes are few
 * (one per contested name and voter).
 */
public final class VoteTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VoteTable.class);
  private static final String[] SCHEMA = {
      """
      CREATE TABLE IF NOT EXISTS bootstrap_vote (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        ended INTEGER NOT NULL)""",
      """
      CREATE TABLE IF NOT EXISTS contested_votes (
        name   TEXT NOT NULL,
        peer   TEXT NOT NULL,
        record BLOB NOT NULL,
        PRIMARY KEY (name, peer))"""};

  /** Where the vote stands in this data dir. */
  public enum State {
    /** No vote was ever started here (a node from before the vote existed, or a new one). */
    NONE,
    /** A vote started and has not ended: a restart votes again. */
    RUNNING,
    ENDED
  }

  private final Connection db;

  private VoteTable(Connection db) {
    this.db = db;
  }

  /** Opens (and creates when needed) the tables in {@code dbFile}. */
  public static VoteTable open(Path dbFile) throws SQLException {
    return new VoteTable(SideTables.open(dbFile, SideTables.Sync.FULL, SCHEMA));
  }

  public synchronized State state() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT ended FROM bootstrap_vote WHERE id = 1")) {
      return !rs.next() ? State.NONE : rs.getInt(1) == 0 ? State.RUNNING : State.ENDED;
    }
  }

  /** Records that a vote runs ({@code ended} false) or has ended. */
  public synchronized void setEnded(boolean ended) {
    try (PreparedStatement p = db.prepareStatement(
        "INSERT OR REPLACE INTO bootstrap_vote (id, ended) VALUES (1, ?)")) {
      p.setInt(1, ended ? 1 : 0);
      p.executeUpdate();
    } catch (SQLException e) {
      LOG.error("cannot record the bootstrap vote's state: {}", e.getMessage());
    }
  }

  /** One voter's version of a contested name. */
  public synchronized void putVote(String name, String peer, SignedRecord version) {
    try (PreparedStatement p = db.prepareStatement(
        "INSERT OR REPLACE INTO contested_votes (name, peer, record) VALUES (?, ?, ?)")) {
      p.setString(1, name);
      p.setString(2, peer);
      p.setBytes(3, version.encoded());
      p.executeUpdate();
    } catch (SQLException e) {
      LOG.error("cannot store a vote on contested {}: {}", name, e.getMessage());
    }
  }

  /** The name is no longer contested. */
  public synchronized void forget(String name) {
    try (PreparedStatement p = db.prepareStatement("DELETE FROM contested_votes WHERE name = ?")) {
      p.setString(1, name);
      p.executeUpdate();
    } catch (SQLException e) {
      LOG.error("cannot forget the votes on {}: {}", name, e.getMessage());
    }
  }

  /** Every contested name with its votes (peer to version); unreadable rows are skipped. */
  public synchronized Map<String, Map<String, SignedRecord>> loadContested() throws SQLException {
    Map<String, Map<String, SignedRecord>> out = new TreeMap<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, peer, record FROM contested_votes")) {
      while (rs.next()) {
        Optional<SignedRecord> r = decode(rs.getBytes(3));
        if (r.isPresent() && r.get().name().equals(rs.getString(1))) {
          out.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2),
              r.get());
        } else {
          LOG.error("skipped an unreadable vote on {} in the database", rs.getString(1));
        }
      }
    }
    return out;
  }

  private static Optional<SignedRecord> decode(byte[] bytes) {
    try {
      return Optional.of(RecordCodec.decode(bytes));
    } catch (MalformedException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    db.close();
  }
}
