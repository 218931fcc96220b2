package org.p2pdns.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.p2pdns.cli.command.DomainsCommand;
import org.p2pdns.cli.command.KeygenCommand;
import org.p2pdns.cli.command.CancelCommand;
import org.p2pdns.cli.command.ConnectCommand;
import org.p2pdns.cli.command.NodesCommand;
import org.p2pdns.cli.command.RegisterCommand;
import org.p2pdns.cli.command.RenewCommand;
import org.p2pdns.cli.command.RevokeCommand;
import org.p2pdns.cli.command.ShowCommand;
import org.p2pdns.cli.command.StatusCommand;
import org.p2pdns.cli.command.TrustCommand;
import org.p2pdns.cli.command.EndorseCommand;
import org.p2pdns.cli.command.TransferCommand;
import org.p2pdns.cli.command.UpdateCommand;
import org.p2pdns.cli.keys.OwnerKeys;
import org.p2pdns.cli.keys.PassphraseSource;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.crypto.Ed25519Keys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code p2pdns}: the owner's tool. It keeps the owner key on this machine, builds and signs
 * records, mines their proof of work, and talks to a node over the node query protocol.
 */
@Command(name = "p2pdns", mixinStandardHelpOptions = true, version = "p2pdns 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Register and manage names on a P2P-DNS network through a local node.",
    subcommands = {KeygenCommand.class, RegisterCommand.class, UpdateCommand.class,
        RenewCommand.class, TransferCommand.class, RevokeCommand.class, ShowCommand.class,
        CancelCommand.class, DomainsCommand.class, NodesCommand.class, ConnectCommand.class,
        TrustCommand.class, EndorseCommand.class, StatusCommand.class},
    footer = {"", "Exit codes: 0 success; 1 refused by the node (reason on stderr); "
        + "2 bad usage or input; 3 node unreachable."})
public final class P2pdnsMain implements Callable<Integer> {
  /** An unexpected failure: a bug in p2pdns, not something the user did (EX_SOFTWARE). */
  public static final int INTERNAL_ERROR = 70;

  @Option(names = "--node", paramLabel = "ENDPOINT", scope = ScopeType.INHERIT,
      description = "The node's query endpoint (default: cli.node, tcp://127.0.0.1:8002).")
  String node;

  @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "The owner key file (default: cli.key, ~/.p2pdns/owner.key).")
  Path key;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "A configuration file (key = value lines, see config/p2pdns.conf).")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
      description = "Overrides one configuration key; may be repeated.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--passphrase-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Reads the owner key's passphrase from the first line of FILE "
          + "(else P2PDNS_PASSPHRASE, else a prompt).")
  Path passphraseFile;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Stack traces with errors.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  private final CliEnvironment environment;
  private Config config;

  public P2pdnsMain(CliEnvironment environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(run(CliEnvironment.system(), new PrintWriter(System.out, true),
        new PrintWriter(System.err, true), args));
  }

  /** Runs one command line and returns its exit code. */
  public static int run(CliEnvironment environment, PrintWriter out, PrintWriter err,
      String... args) {
    P2pdnsMain main = new P2pdnsMain(environment);
    CommandLine cl = new CommandLine(main);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode()
        : INTERNAL_ERROR);
    cl.setParameterExceptionHandler((ex, a) -> {
      CommandLine failed = ex.getCommandLine();
      failed.getErr().println("p2pdns: " + ex.getMessage() + " (see '"
          + failed.getCommandSpec().qualifiedName() + " --help')");
      failed.getErr().flush();
      return CliException.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
      PrintWriter e = failed.getErr();
      if (ex instanceof CliException c) {
        e.println("p2pdns: " + c.getMessage());
      } else {
        e.println("p2pdns: internal error: " + ex + (main.verbose ? ""
            : " (run with --verbose for details)"));
      }
      if (main.verbose) {
        ex.printStackTrace(e);
      }
      e.flush();
      return ex instanceof CliException c ? c.exitCode() : INTERNAL_ERROR;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("p2pdns: a command is needed: " + String.join(", ",
        spec.subcommands().keySet()) + " (see 'p2pdns --help')");
    return CliException.USAGE;
  }

  public CliEnvironment environment() {
    return environment;
  }

  /** The configuration: defaults, then --config, then P2PDNS_... variables, then --set. */
  public Config config() throws CliException {
    if (config == null) {
      try {
        config = Config.layered(configFile, environment.env(), sets).build();
      } catch (ConfigException e) {
        throw CliException.usage(e.getMessage(), e);
      }
    }
    return config;
  }

  public Path keyPath() throws CliException {
    Path p = key != null ? key : config().getPath(ConfigKeys.CLI_KEY, environment.home());
    return p.toAbsolutePath();
  }

  public PassphraseSource passphrases() {
    return new PassphraseSource(passphraseFile, environment.env(), environment.terminal());
  }

  public boolean passphraseFileGiven() {
    return passphraseFile != null;
  }

  public Ed25519Keys.KeyPair ownerKey() throws CliException {
    return OwnerKeys.read(keyPath(), passphrases());
  }

  public String nodeEndpoint() throws CliException {
    return node != null ? node : config().get(ConfigKeys.CLI_NODE).trim();
  }

  public Duration timeout() throws CliException {
    try {
      Duration d = config().getDuration(ConfigKeys.CLI_TIMEOUT);
      if (d.isZero() || d.isNegative()) {
        throw CliException.usage("cli.timeout must be positive");
      }
      return d;
    } catch (ConfigException e) {
      throw CliException.usage(e.getMessage(), e);
    }
  }

  public NodeSession openSession() throws CliException {
    return NodeSession.open(nodeEndpoint(), timeout());
  }
}
