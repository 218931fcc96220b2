package org.p2pdns.node.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's durable store: one SQLite file ({@code node.db} in the data dir) holding the current
 * signed record of every name and at most one piece of equivocation evidence per name.
 *
 * <p>Durability: WAL with {@code synchronous=FULL}, so when {@link #put} returns the record is on
 * disk and survives a crash or {@code kill -9}. Each put is one transaction: a full disk or
 * database, or an I/O error, leaves the previous state untouched and surfaces as a
 * {@link StorageException}. Rows are the record's canonical bytes plus a few columns copied out of
 * them for people and queries (serial, owner key, digest, expiry, kind).
 *
 * <p>Thread-safe: one connection, every method holds the store's lock. The node's hot reads come
 * from the in-memory index of {@code RecordService}; these read methods are for catch-up work and
 * tools that need what is on disk.
 */
public final class RecordStore implements AutoCloseable {
  public static final String FILE_NAME = "node.db";
  /** Version of the table layout below; a newer file is refused rather than misread. */
  public static final int SCHEMA_VERSION = 1;

  private static final Logger log = LoggerFactory.getLogger(RecordStore.class);
  private static final int BUSY_TIMEOUT_MS = 5000;

  private final Path file;
  private final Clock clock;
  private final Connection db;

  private RecordStore(Path file, Clock clock, Connection db) {
    this.file = file;
    this.clock = clock;
    this.db = db;
  }

  /** Everything the store held at start, decoded. */
  public record Contents(List<SignedRecord> records, Map<String, SignedRecord> evidence,
      int skippedRows) {
    public Contents {
      records = List.copyOf(records);
      evidence = Map.copyOf(evidence);
    }
  }

  /** A name and the digest of its current record, as set reconciliation compares them. */
  public record NameDigest(String name, byte[] digest) {
    public NameDigest {
      digest = digest.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }
  }

  /** Opens (creating if needed) the database file without a size limit. */
  public static RecordStore open(Path file, Clock clock) throws StorageException {
    return open(file, clock, 0);
  }

  /**
   * Opens (creating if needed) the database file.
   *
   * @param maxDatabaseBytes a cap on the database file (0: none). A write that would pass it is
   *     refused exactly as a full disk is, so an operator can bound the node's disk use.
   */
  public static RecordStore open(Path file, Clock clock, long maxDatabaseBytes)
      throws StorageException {
    Connection db;
    try {
      db = connect(file);
    } catch (SQLException e) {
      throw new StorageException("cannot open the database " + file + ": " + e.getMessage(), e);
    }
    RecordStore store = new RecordStore(file, clock, db);
    try {
      store.configure(maxDatabaseBytes);
      store.migrate();
      return store;
    } catch (SQLException e) {
      store.close();
      throw store.failure("cannot open the database:", e);
    } catch (StorageException e) {
      store.close();
      throw e;
    }
  }

  /**
   * A connection to {@code file}. The driver's eager fetch of generated keys is off: it runs a
   * second query after every INSERT, which nothing here reads and which doubles the cost of a
   * batch of inserts.
   */
  static Connection connect(Path file) throws SQLException {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("jdbc.get_generated_keys", "false");
    return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
  }

  private void configure(long maxDatabaseBytes) throws SQLException, StorageException {
    try (Statement s = db.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        String mode = rs.next() ? rs.getString(1) : "";
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new StorageException("the database " + file + " cannot use write-ahead logging "
              + "(journal mode '" + mode + "'); is it on a network file system?");
        }
      }
      // FULL: the WAL is synced at every commit, so an acknowledged record survives power loss.
      s.execute("PRAGMA synchronous = FULL");
      if (maxDatabaseBytes > 0) {
        long pageSize;
        try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
          pageSize = rs.next() ? rs.getLong(1) : 4096;
        }
        s.execute("PRAGMA max_page_count = " + Math.max(1, maxDatabaseBytes / pageSize));
      }
    }
  }

  private void migrate() throws SQLException, StorageException {
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      int version = 0;
      try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
        if (rs.next()) {
          version = rs.getInt(1);
        }
      }
      if (version > SCHEMA_VERSION) {
        throw new StorageException("the database " + file + " has schema version " + version
            + ", written by a newer node; this node knows version " + SCHEMA_VERSION);
      }
      if (version == SCHEMA_VERSION) {
        return;
      }
      inTransaction(() -> {
        s.execute("CREATE TABLE records ("
            + " name TEXT PRIMARY KEY,"
            + " serial INTEGER NOT NULL,"
            + " owner_key BLOB NOT NULL,"
            + " digest BLOB NOT NULL,"
            + " expires INTEGER NOT NULL,"
            + " kind INTEGER NOT NULL,"
            + " body BLOB NOT NULL,"
            + " stored_at INTEGER NOT NULL)");
        // One piece of evidence per name bounds what an equivocating owner can make us keep.
        s.execute("CREATE TABLE evidence ("
            + " name TEXT PRIMARY KEY,"
            + " body BLOB NOT NULL,"
            + " stored_at INTEGER NOT NULL)");
        s.execute("INSERT INTO schema_version (version) VALUES (" + SCHEMA_VERSION + ")");
      });
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Reads every record and every piece of evidence. A row that no longer decodes (damaged, or
   * from a format this node no longer reads) is logged at ERROR and skipped; the rest load.
   */
  public synchronized Contents loadAll() throws StorageException {
    List<SignedRecord> records = new ArrayList<>();
    Map<String, SignedRecord> evidence = new HashMap<>();
    int skipped = 0;
    try (Statement s = db.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT name, body FROM records ORDER BY name")) {
        while (rs.next()) {
          Optional<SignedRecord> r = decodeRow("records", rs.getString(1), rs.getBytes(2));
          if (r.isPresent()) {
            records.add(r.get());
          } else {
            skipped++;
          }
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT name, body FROM evidence ORDER BY name")) {
        while (rs.next()) {
          Optional<SignedRecord> r = decodeRow("evidence", rs.getString(1), rs.getBytes(2));
          if (r.isPresent()) {
            evidence.put(r.get().name(), r.get());
          } else {
            skipped++;
          }
        }
      }
    } catch (SQLException e) {
      throw failure("cannot read the database:", e);
    }
    return new Contents(records, evidence, skipped);
  }

  private Optional<SignedRecord> decodeRow(String table, String name, byte[] body) {
    if (body == null) {
      log.error("{}: {} row '{}' has no body; skipped", file, table, name);
      return Optional.empty();
    }
    try {
      SignedRecord r = RecordCodec.decode(body);
      if (!r.name().equals(name)) {
        log.error("{}: {} row '{}' holds a record for '{}'; skipped", file, table, name, r.name());
        return Optional.empty();
      }
      return Optional.of(r);
    } catch (MalformedException | RuntimeException e) {
      log.error("{}: {} row '{}' does not decode ({}); skipped. The row stays in the file and "
          + "is replaced when a valid version of the name arrives.", file, table, name,
          e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Stores {@code record} as the current version of its name, and {@code evidence} (the losing
   * side of an equivocation) with it, in one transaction. Committed to disk when this returns;
   * on any failure nothing of it is stored.
   */
  public synchronized void put(SignedRecord record, Optional<SignedRecord> evidence)
      throws StorageException {
    putAll(List.of(record), evidence.map(List::of).orElse(List.of()));
  }

  /**
   * A write to a table beside the records (the ownership history), made in the records'
   * transaction: one statement with its parameters (String, byte[], Long, Integer or null).
   * Writing both through this one connection costs one disk sync per batch instead of two, and
   * keeps this connection's page cache, which a write by a second connection would invalidate.
   */
  public record SideWrite(String sql, List<Object> args) {
    public SideWrite {
      args = java.util.Collections.unmodifiableList(new ArrayList<>(args));
    }

    public static SideWrite of(String sql, Object... args) {
      return new SideWrite(sql, java.util.Arrays.asList(args));
    }
  }

  /**
   * Stores {@code records} (in order: a later version of a name replaces an earlier one) and
   * {@code evidence} in one transaction, with one disk sync. Committed when this returns; on any
   * failure nothing of it is stored.
   */
  public synchronized void putAll(List<SignedRecord> records, List<SignedRecord> evidence)
      throws StorageException {
    putAll(records, evidence, List.of());
  }

  /**
   * As {@link #putAll(List, List)}, with {@code sideWrites} in the same transaction, before the
   * records: all of it is committed when this returns, or none of it.
   */
  public synchronized void putAll(List<SignedRecord> records, List<SignedRecord> evidence,
      List<SideWrite> sideWrites) throws StorageException {
    if (records.isEmpty() && evidence.isEmpty() && sideWrites.isEmpty()) {
      return;
    }
    try {
      inTransaction(() -> {
        writeSide(sideWrites);
        long now = clock.millis();
        try (PreparedStatement ps = db.prepareStatement("INSERT OR REPLACE INTO records"
            + " (name, serial, owner_key, digest, expires, kind, body, stored_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
          for (SignedRecord record : records) {
            ps.setString(1, record.name());
            ps.setLong(2, record.serial());
            ps.setBytes(3, record.ownerKey());
            ps.setBytes(4, record.digest());
            ps.setLong(5, record.expiresAt());
            ps.setInt(6, record.kind().code());
            ps.setBytes(7, record.encoded());
            ps.setLong(8, now);
            ps.executeUpdate();
          }
        }
        for (SignedRecord ev : evidence) {
          insertEvidence(ev, now);
        }
      });
    } catch (SQLException e) {
      String what = records.size() == 1 ? records.get(0).name() + " serial "
          + records.get(0).serial() : records.size() + " records";
      throw failure("cannot store " + what + ":", e);
    }
  }

  /** Keeps {@code evidence} of an equivocation when the stored record itself stays. */
  public synchronized void putEvidence(SignedRecord evidence) throws StorageException {
    try {
      inTransaction(() -> insertEvidence(evidence, clock.millis()));
    } catch (SQLException e) {
      throw failure("cannot store evidence for " + evidence.name() + ":", e);
    }
  }

  private interface Work {
    void run() throws SQLException;
  }

  /**
   * Runs {@code work} as one transaction with explicit BEGIN/COMMIT, the connection staying in
   * auto-commit mode: the driver's own transaction handling fails after SQLite has already rolled
   * back by itself (as it does on SQLITE_FULL), which would hide the real error.
   */
  private void inTransaction(Work work) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      try {
        work.run();
        s.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly();
        throw e;
      }
    }
  }

  private void writeSide(List<SideWrite> writes) throws SQLException {
    Map<String, PreparedStatement> prepared = new HashMap<>();
    try {
      for (SideWrite w : writes) {
        PreparedStatement ps = prepared.get(w.sql());
        if (ps == null) {
          ps = db.prepareStatement(w.sql());
          prepared.put(w.sql(), ps);
        }
        for (int i = 0; i < w.args().size(); i++) {
          Object arg = w.args().get(i);
          if (arg == null) {
            ps.setNull(i + 1, java.sql.Types.NULL);
          } else if (arg instanceof String text) {
            ps.setString(i + 1, text);
          } else if (arg instanceof byte[] bytes) {
            ps.setBytes(i + 1, bytes);
          } else if (arg instanceof Long || arg instanceof Integer) {
            ps.setLong(i + 1, ((Number) arg).longValue());
          } else {
            throw new IllegalArgumentException("a side write takes String, byte[], Long, "
                + "Integer or null, not " + arg.getClass().getName());
          }
        }
        ps.executeUpdate();
      }
    } finally {
      for (PreparedStatement ps : prepared.values()) {
        ps.close();
      }
    }
  }

  private void insertEvidence(SignedRecord evidence, long now) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT OR REPLACE INTO evidence (name, body, stored_at) VALUES (?, ?, ?)")) {
      ps.setString(1, evidence.name());
      ps.setBytes(2, evidence.encoded());
      ps.setLong(3, now);
      ps.executeUpdate();
    }
  }

  /** The stored record of {@code name}, if it is there and decodes. */
  public synchronized Optional<SignedRecord> get(String name) throws StorageException {
    return readOne("SELECT body FROM records WHERE name = ?", "records", name);
  }

  /** The stored equivocation evidence of {@code name}, if any. */
  public synchronized Optional<SignedRecord> evidence(String name) throws StorageException {
    return readOne("SELECT body FROM evidence WHERE name = ?", "evidence", name);
  }

  private Optional<SignedRecord> readOne(String sql, String table, String name)
      throws StorageException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? decodeRow(table, name, rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("cannot read " + name + ":", e);
    }
  }

  public synchronized long count() throws StorageException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM records")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw failure("cannot count records:", e);
    }
  }

  /**
   * Up to {@code limit} names after {@code after} (exclusive; "" from the start) with the digests
   * of their records, in name order (byte order of the ASCII names, as {@link String#compareTo}).
   */
  public synchronized List<NameDigest> digests(String after, int limit) throws StorageException {
    List<NameDigest> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT name, digest FROM records WHERE name > ? ORDER BY name LIMIT ?")) {
      ps.setString(1, after);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new NameDigest(rs.getString(1), rs.getBytes(2)));
        }
      }
    } catch (SQLException e) {
      throw failure("cannot list digests:", e);
    }
    return out;
  }

  private void rollbackQuietly() {
    try (Statement s = db.createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException e) {
      // SQLite may have rolled back already (it does on SQLITE_FULL); nothing was committed.
      log.debug("rollback: {}", e.getMessage());
    }
  }

  /** Turns an SQLite error into a message for people, naming the file and what to do. */
  private StorageException failure(String what, SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    String cause = switch (primary) {
      case 13 -> "the disk or the database is full (" + file + ")";
      case 10 -> "I/O error on " + file + " (" + e.getMessage() + ")";
      case 8 -> "the database " + file + " is read-only";
      case 5, 6 -> "the database " + file + " is locked by another process";
      case 11, 26 -> "the database " + file + " is damaged (" + e.getMessage() + ")";
      default -> e.getMessage() + " (" + file + ")";
    };
    return new StorageException(what + " " + cause, e);
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("closing {} failed: {}", file, e.getMessage());
    }
  }
}
