package org.p2pdns.frontend;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.frontend.server.DnsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/dns-frontend}: the DNS front-end in the foreground. Exit code 2 for bad flags or
 * configuration, 1 when it cannot start (a port it cannot bind). SIGTERM or SIGINT stop it
 * cleanly (the ready file is deleted); the JVM then exits with 143 or 130, as Java daemons do
 * (systemd: {@code SuccessExitStatus=143}).
 */
@Command(name = "dns-frontend", mixinStandardHelpOptions = true,
    description = "DNS server for the p2p network's names; forwards every other name upstream.")
public final class FrontendMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(FrontendMain.class);

  @Option(names = "--config", paramLabel = "FILE", description = "Configuration file.")
  Path configFile;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "DNS address, UDP and TCP (frontend.listen; default 127.0.0.1:53).")
  String listen;

  @Option(names = "--node", paramLabel = "ENDPOINT",
      description = "The node's JeroMQ endpoint (frontend.node).")
  String node;

  @Option(names = "--upstream", paramLabel = "HOST:PORT,...",
      description = "Upstream resolvers for other names (frontend.upstream).")
  String upstream;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any configuration key.")
  List<String> assignments = new ArrayList<>();

  @Option(names = "--ready-file", paramLabel = "FILE",
      description = "Written (pid=, dns=HOST:PORT) once serving; deleted on a clean stop.")
  Path readyFile;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cl = new CommandLine(new FrontendMain());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      log.error("the front-end failed", e);
      return 1;
    });
    // Picocli answers 2 for usage errors, as the contract wants.
    return cl.execute(args);
  }

  /** Defaults, then the file, then the environment, then --set, then the named flags. */
  Config buildConfig() throws ConfigException {
    Config.Builder b = Config.layered(configFile, System.getenv(), assignments);
    if (listen != null) {
      b.set(ConfigKeys.FRONTEND_LISTEN.name(), listen);
    }
    if (node != null) {
      b.set(ConfigKeys.FRONTEND_NODE.name(), node);
    }
    if (upstream != null) {
      b.set(ConfigKeys.FRONTEND_UPSTREAM.name(), upstream);
    }
    return b.build();
  }

  @Override
  public Integer call() {
    FrontendConfig config;
    try {
      config = FrontendConfig.fromConfig(buildConfig(), FrontendConfig.RESOLV_CONF);
    } catch (ConfigException e) {
      log.error("bad configuration: {}", e.getMessage());
      return 2;
    }
    Frontend frontend;
    try {
      frontend = Frontend.start(config, Clock.systemUTC(), readyFile);
    } catch (DnsServer.BindFailure e) {
      log.error("{}", e.getMessage());
      return 1;
    } catch (Exception e) {
      log.error("the front-end could not start", e);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping");
      frontend.close();
      stopped.countDown();
    }, "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
