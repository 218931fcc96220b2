package org.p2pdns.cli.command;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.query.ControlKey;

/**
 * Finds and reads the node's control key for the commands that change the node: the file named
 * with --control-key, else control.key in node.data-dir (there when run as the node's user).
 */
final class NodeControlKey {
  private NodeControlKey() {}

  static ControlKey read(P2pdnsMain main, Path override) throws CliException {
    Path file = override != null ? override
        : main.config().getPath(ConfigKeys.NODE_DATA_DIR, main.environment().home())
            .resolve(ControlKey.FILE_NAME);
    try {
      if (!java.nio.file.Files.exists(file)) {
        throw new NoSuchFileException(file.toString());
      }
      return ControlKey.read(file);
    } catch (NoSuchFileException e) {
      throw CliException.usage("no control key at " + file + ": run as the user the node runs "
          + "as, or name the file with --control-key (it is in the node's data dir)");
    } catch (IOException e) {
      throw CliException.usage("cannot read the control key " + file + ": " + e.getMessage());
    }
  }

  /** Checks a node id given on the command line. */
  static String nodeId(String text) throws CliException {
    String id = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (!org.p2pdns.common.crypto.NodeIds.isNodeId(id)) {
      throw CliException.usage("'" + text + "' is not a node id (64 hex digits; 'p2pdns nodes' "
          + "lists them)");
    }
    return id;
  }
}
