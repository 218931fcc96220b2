package org.p2pdns.node.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A connection of its own to the node's database file, for a part that keeps tables beside the
 * records (the node table, the bootstrap vote, the web of trust, the ownership history): the same
 * WAL journal and busy timeout as {@link RecordStore}, so they share the file without locking
 * each other out.
 */
public final class SideTables {
  /** How a commit reaches the disk: FULL survives power loss, NORMAL only a process crash. */
  public enum Sync { FULL, NORMAL }

  private SideTables() {}

  /**
   * Opens {@code dbFile} and runs {@code statements} (schema, further pragmas); closes the
   * connection again when one fails.
   */
  public static Connection open(Path dbFile, Sync sync, String... statements)
      throws SQLException {
    Connection c = RecordStore.connect(dbFile);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = " + sync.name());
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }
}
