package org.p2pdns.node.peer;

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
 * The known nodes, in the node's database file through a connection of their own. The schema
 * lives here (tables {@code nodes} and {@code node_addresses}); the record store's tables are not
 * touched. Used from one thread at a time (the peer network's membership thread).
 */
public final class NodeTable implements AutoCloseable {
  private static final String[] SCHEMA = {
      """
      CREATE TABLE IF NOT EXISTS nodes (
        node_id      TEXT PRIMARY KEY,
        announcement BLOB    NOT NULL,
        issued_at    INTEGER NOT NULL,
        first_seen   INTEGER NOT NULL,
        last_contact INTEGER NOT NULL DEFAULT 0,
        failures     INTEGER NOT NULL DEFAULT 0,
        score        INTEGER NOT NULL DEFAULT 0)""",
      """
      CREATE TABLE IF NOT EXISTS node_addresses (
        node_id    TEXT    NOT NULL REFERENCES nodes(node_id) ON DELETE CASCADE,
        address    TEXT    NOT NULL,
        reached_at INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (node_id, address))"""};

  /** A stored node: its last announcement (encoded) and what this node saw of it. */
  public record Row(String nodeId, byte[] announcement, long issuedAt, long firstSeen,
      long lastContact, int failures, int score, Map<String, Long> addresses) {}

  private final Connection db;

  private NodeTable(Connection db) {
    this.db = db;
  }

  /** Opens (and creates when needed) the tables in {@code dbFile}. */
  public static NodeTable open(Path dbFile) throws SQLException {
    String[] statements = new String[SCHEMA.length + 1];
    statements[0] = "PRAGMA foreign_keys = ON";
    System.arraycopy(SCHEMA, 0, statements, 1, SCHEMA.length);
    return new NodeTable(SideTables.open(dbFile, SideTables.Sync.NORMAL, statements));
  }

  public List<Row> loadAll() throws SQLException {
    Map<String, Map<String, Long>> addresses = new LinkedHashMap<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT node_id, address, reached_at FROM node_addresses")) {
      while (rs.next()) {
        addresses.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
            .put(rs.getString(2), rs.getLong(3));
      }
    }
    List<Row> rows = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT node_id, announcement, issued_at, first_seen, "
            + "last_contact, failures, score FROM nodes ORDER BY node_id")) {
      while (rs.next()) {
        String id = rs.getString(1);
        rows.add(new Row(id, rs.getBytes(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            rs.getInt(6), rs.getInt(7), addresses.getOrDefault(id, Map.of())));
      }
    }
    return rows;
  }

  public void saveNode(String nodeId, byte[] announcement, long issuedAt, long firstSeen,
      long lastContact, int failures, int score) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("""
        INSERT INTO nodes (node_id, announcement, issued_at, first_seen, last_contact, failures,
            score) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (node_id) DO UPDATE SET announcement = excluded.announcement,
            issued_at = excluded.issued_at, last_contact = excluded.last_contact,
            failures = excluded.failures, score = excluded.score""")) {
      ps.setString(1, nodeId);
      ps.setBytes(2, announcement);
      ps.setLong(3, issuedAt);
      ps.setLong(4, firstSeen);
      ps.setLong(5, lastContact);
      ps.setInt(6, failures);
      ps.setInt(7, score);
      ps.executeUpdate();
    }
  }

  public void saveAddress(String nodeId, String address, long reachedAt) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("""
        INSERT INTO node_addresses (node_id, address, reached_at) VALUES (?, ?, ?)
        ON CONFLICT (node_id, address) DO UPDATE SET reached_at = excluded.reached_at""")) {
      ps.setString(1, nodeId);
      ps.setString(2, address);
      ps.setLong(3, reachedAt);
      ps.executeUpdate();
    }
  }

  public void deleteAddress(String nodeId, String address) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM node_addresses WHERE node_id = ? AND address = ?")) {
      ps.setString(1, nodeId);
      ps.setString(2, address);
      ps.executeUpdate();
    }
  }

  /** Forgets a node and its addresses. */
  public void deleteNode(String nodeId) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM nodes WHERE node_id = ?")) {
      ps.setString(1, nodeId);
      ps.executeUpdate();
    }
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
