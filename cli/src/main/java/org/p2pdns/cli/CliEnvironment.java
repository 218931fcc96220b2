package org.p2pdns.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.p2pdns.common.config.Config;

/**
 * What the CLI takes from the world around it, gathered once in {@code main} so that tests can
 * run every command with their own home directory, environment, clock and terminal.
 *
 * @param env the process environment (configuration overrides, {@code P2PDNS_PASSPHRASE})
 * @param home the user's home directory, for {@code ~/} in paths
 * @param clock issue and expiry times
 * @param terminal the person at the keyboard, if there is one
 * @param sleeper how the CLI waits (register's reveal delay): the real thing, or a test's clock
 */
public record CliEnvironment(Map<String, String> env, Path home, Clock clock, Terminal terminal,
    Sleeper sleeper) {
  /** Waits about {@code millis} milliseconds of the environment's clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  public CliEnvironment {
    env = Map.copyOf(env);
  }

  /** An environment that waits with {@link Thread#sleep}. */
  public CliEnvironment(Map<String, String> env, Path home, Clock clock, Terminal terminal) {
    this(env, home, clock, terminal, Thread::sleep);
  }

  public static CliEnvironment system() {
    Map<String, String> env = System.getenv();
    return new CliEnvironment(env, Config.userHome(env), Clock.systemUTC(), Terminal.system());
  }
}
