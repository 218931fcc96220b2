package org.p2pdns.node.trust;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.p2pdns.node.store.SideTables;

/**
 * The web of trust on disk, in the node's database file through a connection of its own: the
 * weights the operator set with {@code p2pdns trust} (table {@code trust_operator}) and the
 * endorsements this node holds, its own and those it learned from peers (table
 * {@code endorsements}: each endorser's latest signed list). Used under the lock of
 * {@link WebOfTrust}.
 */
public final class TrustStore implements AutoCloseable {
  private static final String[] SCHEMA = {
      """
      CREATE TABLE IF NOT EXISTS trust_operator (
        node_id      TEXT PRIMARY KEY,
        weight_milli INTEGER NOT NULL,
        set_at       INTEGER NOT NULL)""",
      """
      CREATE TABLE IF NOT EXISTS endorsements (
        endorser   TEXT    PRIMARY KEY,
        issued_at  INTEGER NOT NULL,
        encoded    BLOB    NOT NULL)"""};

  private final Connection db;

  private TrustStore(Connection db) {
    this.db = db;
  }

  public static TrustStore open(Path dbFile) throws SQLException {
    // An operator's command is answered after the commit: it survives a crash right after.
    return new TrustStore(SideTables.open(dbFile, SideTables.Sync.FULL, SCHEMA));
  }

  /** A unit of work on the store, committed as one transaction by {@link #inTransaction}. */
  public interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} in one transaction (one disk sync for a batch of changes). */
  public <T> T inTransaction(Work<T> work) throws SQLException {
    db.setAutoCommit(false);
    try {
      T result = work.run();
      db.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  /** Node id to weight in thousandths. */
  public Map<String, Long> operatorWeights() throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT node_id, weight_milli FROM trust_operator "
            + "ORDER BY node_id")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  public void setOperatorWeight(String nodeId, long weightMilli, long now) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("""
        INSERT INTO trust_operator (node_id, weight_milli, set_at) VALUES (?, ?, ?)
        ON CONFLICT (node_id) DO UPDATE SET weight_milli = excluded.weight_milli,
            set_at = excluded.set_at""")) {
      ps.setString(1, nodeId);
      ps.setLong(2, weightMilli);
      ps.setLong(3, now);
      ps.executeUpdate();
    }
  }

  /** Returns whether there was an entry. */
  public boolean removeOperatorWeight(String nodeId) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM trust_operator WHERE node_id = ?")) {
      ps.setString(1, nodeId);
      return ps.executeUpdate() > 0;
    }
  }

  /** Every stored endorsement, encoded. */
  public List<byte[]> endorsements() throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT encoded FROM endorsements")) {
      while (rs.next()) {
        out.add(rs.getBytes(1));
      }
    }
    return out;
  }

  public void putEndorsement(String endorser, long issuedAt, byte[] encoded)
      throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("""
        INSERT INTO endorsements (endorser, issued_at, encoded) VALUES (?, ?, ?)
        ON CONFLICT (endorser) DO UPDATE SET issued_at = excluded.issued_at,
            encoded = excluded.encoded""")) {
      ps.setString(1, endorser);
      ps.setLong(2, issuedAt);
      ps.setBytes(3, encoded);
      ps.executeUpdate();
    }
  }

  public void deleteEndorser(String endorser) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM endorsements WHERE endorser = ?")) {
      ps.setString(1, endorser);
      ps.executeUpdate();
    }
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
