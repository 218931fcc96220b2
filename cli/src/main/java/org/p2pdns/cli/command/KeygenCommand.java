package org.p2pdns.cli.command;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.keys.OwnerKeys;
import org.p2pdns.common.crypto.Ed25519Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Makes a new Ed25519 owner key (PEM, mode 0600) at --key or cli.key "
        + "(default ~/.p2pdns/owner.key) and prints its public key (64 hex digits).",
        "Never overwrites an existing file."})
public final class KeygenCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Option(names = "--encrypt", description = "Encrypts the key with a passphrase "
      + "(--passphrase-file, P2PDNS_PASSPHRASE, or asked twice on the terminal).")
  boolean encrypt;

  @Override
  public Integer call() throws CliException {
    Path file = main.keyPath();
    char[] passphrase = null;
    // A passphrase file is a clear request for encryption; the environment alone is not, since
    // it may be set only to read keys.
    if (encrypt || main.passphraseFileGiven()) {
      passphrase = main.passphrases().forWriting(file);
    }
    Ed25519Keys.KeyPair key;
    try {
      key = OwnerKeys.create(file, passphrase);
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
    }
    spec.commandLine().getErr().println("wrote " + (passphrase != null ? "encrypted " : "")
        + "owner key " + file + " (mode 0600); keep a copy: the names it registers cannot be "
        + "changed without it");
    spec.commandLine().getOut().println(Ed25519Keys.toHex(key.publicKey()));
    return 0;
  }
}
