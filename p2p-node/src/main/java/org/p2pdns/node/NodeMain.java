package org.p2pdns.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.node.store.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/p2p-node}: runs a node in the foreground until SIGTERM or SIGINT. Exit codes: 2
 * for bad flags or configuration, 1 when the node cannot start.
 *
 * <p>The configuration is built here, once: built-in defaults, then {@code --config FILE}, then
 * the environment ({@code P2PDNS_NODE_DATA_DIR}, ...), then {@code --set KEY=VALUE}, then the
 * named flags, which are shorthands for their keys ({@code --listen} is {@code node.listen}).
 */
@Command(name = "p2p-node", mixinStandardHelpOptions = true,
    versionProvider = NodeMain.Version.class, sortOptions = false,
    description = "Runs a P2P-DNS node in the foreground: it stores and validates signed records "
        + "and answers the DNS front-end and the p2pdns CLI on its control endpoint.")
public final class NodeMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (key = value lines).")
  Path configFile;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory (node.data-dir, default ~/.p2pdns).")
  String dataDir;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Peer-to-peer listener (node.listen, default 0.0.0.0:8001).")
  String listen;

  @Option(names = "--control", paramLabel = "ENDPOINT",
      description = "Control endpoint for the front-end and the CLI (node.control, default "
          + "tcp://127.0.0.1:8002; tcp://127.0.0.1:* picks a free port).")
  String control;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT,...",
      description = "Peers to join at start, [ID@]HOST:PORT (node.bootstrap).")
  String bootstrap;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Sets any configuration key; may be repeated.")
  List<String> assignments = new ArrayList<>();

  @Option(names = "--ready-file", paramLabel = "FILE",
      description = "Written (pid, control, feed, node-id) once the node is up; removed at stop.")
  Path readyFile;

  public static void main(String[] args) {
    int code = new CommandLine(new NodeMain()).execute(args);
    // After a signal the JVM is already shutting down: calling exit then would block forever.
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    NodeConfig config;
    try {
      config = NodeConfig.from(buildConfig(System.getenv()), Config.userHome(System.getenv()),
          Optional.ofNullable(readyFile));
    } catch (ConfigException e) {
      log.error("bad configuration: {}", e.getMessage());
      return 2;
    }
    Node node;
    try {
      node = Node.start(config, Clock.systemUTC());
    } catch (IOException | StorageException e) {
      log.error("cannot start the node: {}", e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      log.error("cannot start the node", e);
      return 1;
    }
    node.closeOnShutdown();
    try {
      node.awaitClosed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      node.close();
    }
    return 0;
  }

  /** The layers in order; a later layer wins. */
  Config buildConfig(Map<String, String> environment) throws ConfigException {
    Config.Builder b = Config.layered(configFile, environment, assignments);
    setIfGiven(b, ConfigKeys.NODE_DATA_DIR.name(), dataDir);
    setIfGiven(b, ConfigKeys.NODE_LISTEN.name(), listen);
    setIfGiven(b, ConfigKeys.NODE_CONTROL.name(), control);
    setIfGiven(b, ConfigKeys.NODE_BOOTSTRAP.name(), bootstrap);
    return b.build();
  }

  private static void setIfGiven(Config.Builder b, String key, String value)
      throws ConfigException {
    if (value != null) {
      b.set(key, value);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"p2p-node " + NodeVersion.get()};
    }
  }
}
