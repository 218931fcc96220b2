package org.p2pdns.cli;

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The interactive side of the CLI: prompts, and whether stderr is a terminal. */
public interface Terminal {
  /** Asks for a secret without echo; empty when there is no terminal to ask on. */
  Optional<char[]> readSecret(String prompt);

  /** Asks for a line of text; empty when there is no terminal to ask on. */
  Optional<String> readLine(String prompt);

  /** Whether stderr goes to a terminal (a live progress line) or to a file or pipe. */
  boolean stderrIsTerminal();

  /** No terminal at all: how the CLI runs under scripts, CI and tests. */
  static Terminal none() {
    return new Terminal() {
      @Override
      public Optional<char[]> readSecret(String prompt) {
        return Optional.empty();
      }

      @Override
      public Optional<String> readLine(String prompt) {
        return Optional.empty();
      }

      @Override
      public boolean stderrIsTerminal() {
        return false;
      }
    };
  }

  static Terminal system() {
    Console console = System.console();
    boolean stderrTty = stderrIsTty();
    return new Terminal() {
      @Override
      public Optional<char[]> readSecret(String prompt) {
        return console == null ? Optional.empty()
            : Optional.ofNullable(console.readPassword("%s", prompt));
      }

      @Override
      public Optional<String> readLine(String prompt) {
        return console == null ? Optional.empty()
            : Optional.ofNullable(console.readLine("%s", prompt));
      }

      @Override
      public boolean stderrIsTerminal() {
        return stderrTty;
      }
    };
  }

  /**
   * Java 17 cannot ask isatty(2) directly; on Linux the file descriptor's link names the device.
   * Elsewhere, a console on stdin/stdout is the best guess.
   */
  private static boolean stderrIsTty() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return System.console() != null;
    }
  }
}
