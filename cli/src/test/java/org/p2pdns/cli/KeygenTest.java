package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.cli.keys.OwnerKeys;
import org.p2pdns.cli.keys.PassphraseSource;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.KeyFiles;

class KeygenTest {
  @TempDir
  Path home;

  private CliRun cli() {
    return new CliRun(home, Clock.systemUTC());
  }

  @Test
  void writesAKeyWithMode0600AtTheDefaultPathAndPrintsItsPublicKey() throws Exception {
    CliRun.Result r = cli().run("keygen");

    assertThat(r.code()).as(r.toString()).isZero();
    Path file = home.resolve(".p2pdns/owner.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String printed = r.out().trim();
    assertThat(printed).matches("[0-9a-f]{64}");
    Ed25519Keys.KeyPair key = KeyFiles.read(file, null);
    assertThat(Ed25519Keys.toHex(key.publicKey())).isEqualTo(printed);
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void refusesToOverwriteAnExistingKey() throws Exception {
    Path file = home.resolve("my.key");
    assertThat(cli().run("--key", file.toString(), "keygen").code()).isZero();
    String before = Files.readString(file);

    CliRun.Result again = cli().run("keygen", "--key", file.toString());

    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already exists").contains("refusing to overwrite");
    assertThat(again.out()).isEmpty();
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void encryptedKeyRoundTripsWithAPassphraseFile() throws Exception {
    Path file = home.resolve("enc.key");
    Path pass = home.resolve("pass.txt");
    Files.writeString(pass, "correct horse battery staple\n");

    CliRun.Result r = cli().run("keygen", "--key", file.toString(), "--encrypt",
        "--passphrase-file", pass.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.readString(file)).contains("BEGIN ENCRYPTED PRIVATE KEY");
    Ed25519Keys.KeyPair read = OwnerKeys.read(file, new PassphraseSource(pass, Map.of(),
        Terminal.none()));
    assertThat(Ed25519Keys.toHex(read.publicKey())).isEqualTo(r.out().trim());
    // The same key through the environment variable, as scripts give it.
    Ed25519Keys.KeyPair viaEnv = OwnerKeys.read(file, new PassphraseSource(null,
        Map.of(PassphraseSource.ENV, "correct horse battery staple"), Terminal.none()));
    assertThat(viaEnv).isEqualTo(read);
  }

  @Test
  void anEncryptedKeyWithoutAPassphraseIsAClearErrorNotAHang() throws Exception {
    Path file = home.resolve("enc.key");
    CliRun.Result made = cli().withEnv(Map.of(PassphraseSource.ENV, "s3cret"))
        .run("keygen", "--key", file.toString(), "--encrypt");
    assertThat(made.code()).as(made.toString()).isZero();

    CliException noPass = catchThrowableOfType(CliException.class,
        () -> OwnerKeys.read(file, new PassphraseSource(null, Map.of(), Terminal.none())));
    assertThat(noPass.exitCode()).isEqualTo(2);
    assertThat(noPass.getMessage()).contains("is encrypted").contains("--passphrase-file")
        .contains("P2PDNS_PASSPHRASE");

    CliException wrong = catchThrowableOfType(CliException.class,
        () -> OwnerKeys.read(file, new PassphraseSource(null,
            Map.of(PassphraseSource.ENV, "wrong"), Terminal.none())));
    assertThat(wrong.exitCode()).isEqualTo(2);
    assertThat(wrong.getMessage()).contains("wrong passphrase");

    // And a prompt on a terminal works too.
    Ed25519Keys.KeyPair prompted = OwnerKeys.read(file, new PassphraseSource(null, Map.of(),
        CliRun.scripted("s3cret")));
    assertThat(Ed25519Keys.toHex(prompted.publicKey())).isEqualTo(made.out().trim());
  }

  @Test
  void encryptWithoutAnySourceOfPassphraseFailsClearlyAndWritesNothing() {
    Path file = home.resolve("enc.key");

    CliRun.Result r = cli().run("keygen", "--key", file.toString(), "--encrypt");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--encrypt needs a passphrase").contains("no terminal");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(file).doesNotExist();
  }

  @Test
  void theTerminalAsksTwiceAndMismatchWritesNothing() throws Exception {
    Path file = home.resolve("enc.key");

    CliRun.Result mismatch = cli().withTerminal(CliRun.scripted("one", "two"))
        .run("keygen", "--key", file.toString(), "--encrypt");
    assertThat(mismatch.code()).isEqualTo(2);
    assertThat(mismatch.err()).contains("differ");
    assertThat(file).doesNotExist();

    CliRun.Result ok = cli().withTerminal(CliRun.scripted("same", "same"))
        .run("keygen", "--key", file.toString(), "--encrypt");
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(KeyFiles.read(file, "same".toCharArray()).publicKey())
        .isEqualTo(Ed25519Keys.parsePublicKey(ok.out().trim()));
  }

  @Test
  void anEmptyPassphraseIsRefused() throws Exception {
    Path pass = home.resolve("empty");
    Files.writeString(pass, "\n");

    CliRun.Result r = cli().run("keygen", "--key", home.resolve("k").toString(),
        "--passphrase-file", pass.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("empty");
    assertThat(home.resolve("k")).doesNotExist();
  }
}
