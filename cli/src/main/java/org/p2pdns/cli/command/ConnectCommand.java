package org.p2pdns.cli.command;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Tells the node to join a peer. Changing what the node does needs its control key, a file in
 * the node's data dir readable only by the user the node runs as (as rndc and unbound-control).
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = "Asks the node to connect to a peer: ID@HOST:PORT pins the peer's node id, "
        + "HOST:PORT takes the first answer. Needs the node's control key.")
public final class ConnectCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "[ID@]HOST:PORT", description = "The peer to join.")
  String target;

  @Option(names = "--control-key", paramLabel = "FILE",
      description = "The node's control key (default: control.key in node.data-dir).")
  Path controlKey;

  @Override
  public Integer call() throws CliException {
    if (!target.matches("([0-9a-f]{64}@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}")) {
      throw CliException.usage("'" + target + "' is not HOST:PORT or ID@HOST:PORT (ID: the "
          + "peer's 64-hex-digit node id)");
    }
    Config config = main.config();
    Path file = controlKey != null ? controlKey
        : config.getPath(ConfigKeys.NODE_DATA_DIR, main.environment().home())
            .resolve(ControlKey.FILE_NAME);
    ControlKey key;
    try {
      key = ControlKey.read(file);
    } catch (NoSuchFileException e) {
      throw CliException.usage("no control key at " + file + ": run as the user the node runs "
          + "as, or name the file with --control-key (it is in the node's data dir)");
    } catch (IOException e) {
      throw CliException.usage("cannot read the control key " + file + ": " + e.getMessage());
    }
    try (NodeSession node = main.openSession()) {
      NodeResponse.Connect r = node.connect(target, key);
      if (!r.connected()) {
        throw CliException.refused("the node could not connect to " + target + ": "
            + r.message());
      }
      spec.commandLine().getOut().println("connected to " + r.nodeId() + " at " + target);
    }
    return 0;
  }
}
