package org.p2pdns.cli.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.Terminal;

/**
 * Where an owner key's passphrase comes from, in this order: {@code --passphrase-file}, the
 * environment variable {@code P2PDNS_PASSPHRASE}, a prompt on the terminal. Scripts use the
 * first two; without any of them and without a terminal the answer is a clear error, never a
 * hang on stdin.
 */
public final class PassphraseSource {
  public static final String ENV = "P2PDNS_PASSPHRASE";

  private final Path file;
  private final Map<String, String> env;
  private final Terminal terminal;

  public PassphraseSource(Path file, Map<String, String> env, Terminal terminal) {
    this.file = file;
    this.env = env;
    this.terminal = terminal;
  }

  /** Whether a passphrase was given without asking (file or environment). */
  public boolean givenNonInteractively() {
    return file != null || env.get(ENV) != null;
  }

  /** The passphrase to decrypt an existing key. */
  public char[] forReading(Path keyFile) throws CliException {
    Optional<char[]> given = nonInteractive();
    if (given.isPresent()) {
      return given.get();
    }
    return terminal.readSecret("Passphrase for " + keyFile + ": ")
        .orElseThrow(() -> CliException.usage(keyFile + " is encrypted: give --passphrase-file "
            + "FILE or set " + ENV + " (there is no terminal to ask on)"));
  }

  /** The passphrase to encrypt a new key: asked twice on a terminal. */
  public char[] forWriting(Path keyFile) throws CliException {
    Optional<char[]> given = nonInteractive();
    if (given.isPresent()) {
      return given.get();
    }
    char[] first = terminal.readSecret("New passphrase for " + keyFile + ": ")
        .orElseThrow(() -> CliException.usage("--encrypt needs a passphrase: give "
            + "--passphrase-file FILE or set " + ENV + " (there is no terminal to ask on)"));
    char[] second = terminal.readSecret("Repeat the passphrase: ")
        .orElseThrow(() -> CliException.usage("no terminal to repeat the passphrase on"));
    try {
      if (!Arrays.equals(first, second)) {
        throw CliException.usage("the two passphrases differ; nothing was written");
      }
      return checked(first, "the passphrase");
    } finally {
      Arrays.fill(second, '\0');
    }
  }

  private Optional<char[]> nonInteractive() throws CliException {
    if (file != null) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw CliException.usage("passphrase file " + file + " does not exist");
      } catch (IOException e) {
        throw CliException.usage("cannot read passphrase file " + file + ": " + e.getMessage());
      }
      // The first line; a file written by `echo` ends in a newline that is not part of it.
      int nl = text.indexOf('\n');
      String line = nl < 0 ? text : text.substring(0, nl);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      return Optional.of(checked(line.toCharArray(), "passphrase file " + file));
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null) {
      return Optional.of(checked(fromEnv.toCharArray(), ENV));
    }
    return Optional.empty();
  }

  private static char[] checked(char[] passphrase, String source) throws CliException {
    if (passphrase.length == 0) {
      throw CliException.usage(source + ": the passphrase is empty");
    }
    return passphrase;
  }
}
