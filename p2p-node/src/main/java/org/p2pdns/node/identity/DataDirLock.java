package org.p2pdns.node.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second node off a data dir that a running node uses: two nodes on one database would
 * each decide against their own in-memory view and could overwrite each other's newer records.
 * An OS file lock on {@code node.lock}, released by the OS when the process dies (also on
 * {@code kill -9}), so a stale file never blocks a start. The lock is on its own file because
 * SQLite's locks on node.db are released whenever any descriptor of that file closes.
 */
public final class DataDirLock implements AutoCloseable {
  public static final String FILE_NAME = "node.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or throws naming the data dir when another process holds it. */
  public static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      String holder = readHolder(ch);
      ch.close();
      throw new IOException("another node is running with the data dir " + dataDir
          + (holder.isEmpty() ? "" : " (pid " + holder + ")")
          + "; stop it or choose another --data-dir");
    }
    ch.truncate(0);
    ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
        .getBytes(StandardCharsets.US_ASCII)), 0);
    return new DataDirLock(ch, lock);
  }

  private static String readHolder(FileChannel ch) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(32);
      ch.read(buf, 0);
      return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
