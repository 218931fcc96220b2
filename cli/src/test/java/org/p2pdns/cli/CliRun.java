package org.p2pdns.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the CLI in this JVM with a given home, environment, clock and terminal. */
final class CliRun {
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Path home;
  private final Map<String, String> env;
  private final Clock clock;
  private final Terminal terminal;

  CliRun(Path home, Map<String, String> env, Clock clock, Terminal terminal) {
    this.home = home;
    this.env = env;
    this.clock = clock;
    this.terminal = terminal;
  }

  CliRun(Path home, Clock clock) {
    this(home, Map.of(), clock, Terminal.none());
  }

  CliRun withEnv(Map<String, String> e) {
    return new CliRun(home, e, clock, terminal);
  }

  CliRun withTerminal(Terminal t) {
    return new CliRun(home, env, clock, t);
  }

  CliRun withClock(Clock c) {
    return new CliRun(home, env, c, terminal);
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // A test's MutableClock is moved on instead of waiting (register's reveal delay).
    CliEnvironment.Sleeper sleeper = clock instanceof org.p2pdns.common.testing.MutableClock m
        ? millis -> m.advance(java.time.Duration.ofMillis(millis)) : Thread::sleep;
    int code = P2pdnsMain.run(new CliEnvironment(env, home, clock, terminal, sleeper),
        new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** A terminal whose person types the given answers, in order. */
  static Terminal scripted(String... answers) {
    Deque<String> queue = new ArrayDeque<>(List.of(answers));
    return new Terminal() {
      @Override
      public Optional<char[]> readSecret(String prompt) {
        return Optional.ofNullable(queue.poll()).map(String::toCharArray);
      }

      @Override
      public Optional<String> readLine(String prompt) {
        return Optional.ofNullable(queue.poll());
      }

      @Override
      public boolean stderrIsTerminal() {
        return true;
      }
    };
  }
}
