package org.p2pdns.cli.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.p2pdns.cli.CliException;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.KeyFiles;

/** The owner key file: made by {@code keygen}, read by every command that signs. */
public final class OwnerKeys {
  private OwnerKeys() {}

  /**
   * Writes a new key at {@code file} (mode 0600, never over an existing file), encrypted when a
   * passphrase is given.
   */
  public static Ed25519Keys.KeyPair create(Path file, char[] passphrase) throws CliException {
    if (Files.exists(file)) {
      throw CliException.usage(file + " already exists; refusing to overwrite it (move it away "
          + "first, or give another path with --key)");
    }
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    try {
      KeyFiles.write(file, key, passphrase);
    } catch (KeyFiles.KeyFileException e) {
      throw CliException.usage(e.getMessage(), e);
    }
    return key;
  }

  /** Reads the key at {@code file}, asking {@code passphrases} only when it is encrypted. */
  public static Ed25519Keys.KeyPair read(Path file, PassphraseSource passphrases)
      throws CliException {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw CliException.usage("no owner key at " + file + ": make one with 'p2pdns keygen' "
          + "or give --key FILE");
    } catch (IOException e) {
      throw CliException.usage("cannot read owner key " + file + ": " + e.getMessage());
    }
    char[] passphrase = KeyFiles.isEncrypted(pem) ? passphrases.forReading(file) : null;
    try {
      return KeyFiles.fromPem(pem, passphrase);
    } catch (KeyFiles.KeyFileException e) {
      throw CliException.usage(file + ": " + e.getMessage(), e);
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
    }
  }
}
