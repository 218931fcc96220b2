package org.p2pdns.node.identity;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.KeyFiles;
import org.p2pdns.common.crypto.KeyFiles.KeyFileException;
import org.p2pdns.common.crypto.NodeIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own key pair ({@code node.key} in the data dir, Ed25519 PEM, mode 0600, made at the
 * first start) and its node id (the hash of the public key, {@link NodeIds}). Peers will check in
 * TLS that a node holds the key its id is the hash of.
 */
public final class NodeIdentity {
  public static final String KEY_FILE = "node.key";

  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

  private final Ed25519Keys.KeyPair key;
  private final String nodeId;

  private NodeIdentity(Ed25519Keys.KeyPair key) {
    this.key = key;
    this.nodeId = NodeIds.idOf(key.publicKey());
  }

  /**
   * Reads {@code node.key} from {@code dataDir}, or makes a new key there at the first start.
   * The data dir must exist and be writable ({@link #prepareDataDir}).
   */
  public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(KEY_FILE);
    try {
      if (!Files.exists(file)) {
        Ed25519Keys.KeyPair fresh = Ed25519Keys.generate();
        KeyFiles.write(file, fresh, null);
        NodeIdentity id = new NodeIdentity(fresh);
        log.info("made a new node key {}; node id {}", file, id.nodeId);
        return id;
      }
      warnIfReadableByOthers(file);
      return new NodeIdentity(KeyFiles.read(file, null));
    } catch (KeyFileException e) {
      throw new IOException("node key: " + e.getMessage(), e);
    }
  }

  private static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("{} is readable by other users (mode {}); run chmod 600 on it", file,
            PosixFilePermissions.toString(perms));
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot read the permissions of {}", file, e);
    }
  }

  /**
   * Makes sure {@code dataDir} is a directory this process can write to, creating it (mode 0700)
   * with any missing parents. Throws with a message that names the directory and the cause.
   */
  public static void prepareDataDir(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      if (Files.exists(dataDir)) {
        throw new IOException("data dir " + dataDir + " exists but is not a directory");
      }
      try {
        Files.createDirectories(dataDir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        log.info("made the data dir {}", dataDir);
      } catch (AccessDeniedException e) {
        throw new IOException("cannot create the data dir " + dataDir + ": permission denied on "
            + e.getFile() + " (choose another with --data-dir)", e);
      } catch (FileSystemException e) {
        throw new IOException("cannot create the data dir " + dataDir + ": " + e.getMessage(), e);
      }
    }
    // Files.isWritable answers from the mode bits, which root ignores and read-only mounts do not
    // show: only writing a file tells.
    Path probe = null;
    try {
      probe = Files.createTempFile(dataDir, ".write-test", ".tmp");
    } catch (IOException e) {
      throw new IOException("the data dir " + dataDir + " is not writable: " + e.getMessage()
          + " (fix its permissions or choose another with --data-dir)", e);
    } finally {
      if (probe != null) {
        Files.deleteIfExists(probe);
      }
    }
  }

  public Ed25519Keys.KeyPair key() {
    return key;
  }

  public byte[] publicKey() {
    return key.publicKey();
  }

  /** The node id: 64 lower-case hex digits. */
  public String nodeId() {
    return nodeId;
  }

  @Override
  public String toString() {
    return "NodeIdentity[" + nodeId + "]";
  }
}
