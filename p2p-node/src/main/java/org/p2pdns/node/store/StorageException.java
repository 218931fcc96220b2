package org.p2pdns.node.store;

/**
 * The database could not do what was asked: the disk or the database is full, an I/O error, a
 * damaged or newer-format file. The message is meant for people (it names the file and the cause).
 */
public final class StorageException extends Exception {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
