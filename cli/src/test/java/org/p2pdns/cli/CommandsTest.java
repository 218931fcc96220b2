package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.KeyFiles;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The commands against a real query endpoint on 127.0.0.1 whose decisions are the network's
 * real rules ({@link InMemoryQueryServer}); keys and records are real.
 */
class CommandsTest {
  @TempDir
  Path home;

  private final TestNetwork net = new TestNetwork();
  /** Real time to start with; register's reveal delay moves it on instead of waiting. */
  private final org.p2pdns.common.testing.MutableClock clock =
      new org.p2pdns.common.testing.MutableClock();
  private InMemoryQueryServer node;
  private CliRun cli;
  private Path aliceKey;
  private Path bobKey;

  @BeforeEach
  void start() throws Exception {
    node = new InMemoryQueryServer(net.params(), clock);
    cli = new CliRun(home, clock);
    aliceKey = home.resolve("alice.key");
    bobKey = home.resolve("bob.key");
    // keygen itself is KeygenTest's subject; here the key files only need to exist.
    KeyFiles.write(aliceKey, Ed25519Keys.generate(), null);
    KeyFiles.write(bobKey, Ed25519Keys.generate(), null);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private CliRun.Result as(Path key, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--node";
    all[1] = node.endpoint();
    all[2] = "--key";
    all[3] = key.toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return cli.run(all);
  }

  private static String pub(Path key) throws Exception {
    return Ed25519Keys.toHex(KeyFiles.read(key, null).publicKey());
  }

  private SignedRecord stored(String name) {
    SignedRecord r = node.record(name).orElseThrow();
    assertThat(new RecordValidator(net.params(), clock).check(r)).isEmpty();
    return r;
  }

  @Test
  void registerBuildsMinesSignsAndSubmitsTheRecordOfTheIssue() throws Exception {
    CliRun.Result r = as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1", "--aaaa",
        "2001:db8::1", "--txt", "hello", "--mx", "10 mail.example.p2p", "--ttl", "300");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("registered example.p2p (serial 1)");
    assertThat(r.err()).contains("mining proof of work for example.p2p: 6 bits")
        .contains("proof of work found");
    SignedRecord rec = stored("example.p2p");
    assertThat(rec.serial()).isEqualTo(1);
    assertThat(Ed25519Keys.toHex(rec.ownerKey())).isEqualTo(pub(aliceKey));
    assertThat(rec.rrs()).extracting(Record::getType)
        .containsExactlyInAnyOrder(Type.A, Type.AAAA, Type.TXT, Type.MX);
    assertThat(rec.rrs()).allSatisfy(rr -> assertThat(rr.getTTL()).isEqualTo(300));
    assertThat(rec.expiresAt() - rec.issuedAt())
        .isEqualTo(net.params().recordLifetime().toSeconds());
  }

  @Test
  void registerTakesAZoneFileAndInternationalizedNames() throws Exception {
    Path zone = home.resolve("zone");
    Files.writeString(zone, "$TTL 120\n@ IN A 192.0.2.1\nwww IN CNAME @\n"
        + "_sip._tcp IN SRV 10 60 5060 sip\nsip IN AAAA 2001:db8::5\n"
        + "@ IN CAA 0 issue \"ca.example\"\n");

    CliRun.Result r = as(aliceKey, "register", "Bücher.p2p", "--zone", zone.toString(),
        "--lifetime", "30d");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("registered xn--bcher-kva.p2p (serial 1)");
    SignedRecord rec = stored("xn--bcher-kva.p2p");
    assertThat(rec.rrs()).hasSize(5);
    assertThat(rec.expiresAt() - rec.issuedAt()).isEqualTo(30 * 86_400);
  }

  @Test
  void recordsOutsideTheSubtreeAreRefusedBeforeMiningWithExitCode2() throws Exception {
    Path zone = home.resolve("zone");
    Files.writeString(zone, "@ IN A 192.0.2.1\nevil.other.p2p. IN A 192.0.2.66\n");

    CliRun.Result r = as(aliceKey, "register", "example.p2p", "--zone", zone.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("outside subtree").contains("evil.other.p2p");
    assertThat(r.err()).doesNotContain("mining");
    assertThat(node.submissions()).isZero();
  }

  @Test
  void badNamesAndUnknownFlagsAreUsageErrors() {
    CliRun.Result outside = as(aliceKey, "register", "example.com", "--a", "192.0.2.1");
    assertThat(outside.code()).isEqualTo(2);
    assertThat(outside.err()).contains("not under a network suffix");

    CliRun.Result deep = as(aliceKey, "register", "www.example.p2p");
    assertThat(deep.code()).isEqualTo(2);
    assertThat(deep.err()).contains("only one label");

    CliRun.Result unknown = as(aliceKey, "register", "example.p2p", "--bogus");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--bogus'");
    assertThat(unknown.err().lines()).hasSize(1);

    CliRun.Result badIp = as(aliceKey, "register", "example.p2p", "--a", "1.2.3");
    assertThat(badIp.code()).isEqualTo(2);
    CliRun.Result badTtl = as(aliceKey, "register", "example.p2p", "--ttl", "soon");
    assertThat(badTtl.code()).isEqualTo(2);
    CliRun.Result badLifetime = as(aliceKey, "register", "example.p2p", "--lifetime", "3 weeks");
    assertThat(badLifetime.code()).isEqualTo(2);
    CliRun.Result badSet = cli.run("--set", "cli.nonsense=1", "status");
    assertThat(badSet.code()).isEqualTo(2);
    assertThat(badSet.err()).contains("unknown configuration key 'cli.nonsense'");
    CliRun.Result noCommand = cli.run();
    assertThat(noCommand.code()).isEqualTo(2);
    CliRun.Result noKey = cli.run("--node", node.endpoint(), "--key",
        home.resolve("nope").toString(), "register", "example.p2p");
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("no owner key").contains("p2pdns keygen");
    assertThat(node.submissions()).isZero();
  }

  @Test
  void connectChecksItsTargetAndNeedsTheControlKey() throws Exception {
    CliRun.Result badTarget = cli.run("--node", node.endpoint(), "connect", "not-a-peer");
    assertThat(badTarget.code()).isEqualTo(2);
    assertThat(badTarget.err()).contains("HOST:PORT or ID@HOST:PORT");
    CliRun.Result noKey = cli.run("--node", node.endpoint(), "--set",
        "node.data-dir=" + home.resolve("no-node-here"), "connect", "127.0.0.1:8001");
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains(home.resolve("no-node-here").resolve("control.key")
        .toString());
    assertThat(node.submissions()).isZero();
  }

  @Test
  void anUnreachableNodeIsExitCode3NamingTheEndpoint() throws Exception {
    node.silent(true);
    CliRun.Result r = cli.run("--node", node.endpoint(), "--set", "cli.timeout=300ms",
        "status");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains(node.endpoint()).contains("scripts/p2pdns-up");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void updateReplacesTheRecordsAndKeepsTheExpiry() throws Exception {
    assertThat(as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1", "--txt", "x")
        .code()).isZero();
    SignedRecord v1 = stored("example.p2p");

    CliRun.Result r = as(aliceKey, "update", "example.p2p", "--a", "192.0.2.2", "--cname",
        "ignored.example.com.");
    assertThat(r.code()).as("a CNAME with other data is refused locally").isEqualTo(2);
    assertThat(r.err()).contains("CNAME and other data");

    r = as(aliceKey, "update", "example.p2p", "--a", "192.0.2.2");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("updated example.p2p (serial 2, 1 records");
    SignedRecord v2 = stored("example.p2p");
    assertThat(v2.serial()).isEqualTo(2);
    assertThat(v2.expiresAt()).isEqualTo(v1.expiresAt());
    assertThat(v2.rrs()).singleElement().satisfies(
        rr -> assertThat(rr.rdataToString()).isEqualTo("192.0.2.2"));

    CliRun.Result nothing = as(aliceKey, "update", "example.p2p");
    assertThat(nothing.code()).isEqualTo(2);
    assertThat(nothing.err()).contains("give the new ones");
  }

  @Test
  void onlyTheOwnerKeyCanChangeAName() throws Exception {
    assertThat(as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1").code()).isZero();

    CliRun.Result r = as(bobKey, "update", "example.p2p", "--a", "192.0.2.66");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("owned by key " + pub(aliceKey))
        .contains("not by your key " + pub(bobKey));
    CliRun.Result steal = as(bobKey, "register", "example.p2p", "--a", "192.0.2.66");
    assertThat(steal.code()).isEqualTo(1);
    assertThat(steal.err()).contains("held by key " + pub(aliceKey));
    CliRun.Result again = as(aliceKey, "register", "example.p2p");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already registered with your key");
    assertThat(stored("example.p2p").serial()).isEqualTo(1);
  }

  @Test
  void registerCommitsWaitsTheRevealDelayAndRevealsWithProgress() throws Exception {
    long before = clock.instant().getEpochSecond();
    CliRun.Result r = as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("step 1 of 2: committing")
        .contains("mining the commitment's proof of work")
        .contains("waiting " + org.p2pdns.common.record.Ownership.revealDelay(net.params())
            .toSeconds() + " s")
        .contains("step 2 of 2: revealing");
    SignedRecord rec = stored("example.p2p");
    org.p2pdns.common.record.ClaimTerms.Reveal reveal = rec.content().terms().reveal()
        .orElseThrow();
    assertThat(reveal.committedAt()).isGreaterThanOrEqualTo(before);
    assertThat(rec.issuedAt() - reveal.committedAt()).isGreaterThanOrEqualTo(
        org.p2pdns.common.record.Ownership.revealDelay(net.params()).toSeconds());
    // The commitment the node kept is the one the claim reveals.
    assertThat(node.commitments).hasSize(1);
    assertThat(node.commitments.get(0).hash()).isEqualTo(
        org.p2pdns.common.record.Commitment.revealedBy(net.networkId(), rec).orElseThrow());
    CliRun.Result shown = as(aliceKey, "show", "example.p2p");
    assertThat(shown.out()).contains("revealed a commitment made at");
  }

  @Test
  void theRecoveryKeyCancelsATransferAndShowTellsWhoSignedWhat() throws Exception {
    Path rescueKey = home.resolve("rescue.key");
    KeyFiles.write(rescueKey, Ed25519Keys.generate(), null);
    CliRun.Result r = as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1",
        "--recovery-key", rescueKey.toString(), "--no-commit");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(stored("example.p2p").content().terms().recoveryKey()).get()
        .isEqualTo(KeyFiles.read(rescueKey, null).publicKey());
    CliRun.Result same = as(aliceKey, "register", "other.p2p", "--recovery-key",
        aliceKey.toString(), "--no-commit");
    assertThat(same.code()).isEqualTo(2);
    assertThat(same.err()).contains("a recovery key must be another key");

    assertThat(as(aliceKey, "transfer", "example.p2p", "--to", pub(bobKey)).code()).isZero();
    assertThat(Ed25519Keys.toHex(stored("example.p2p").ownerKey())).isEqualTo(pub(bobKey));
    // The wrong key cannot cancel; the recovery key can, and the name is Alice's again.
    CliRun.Result wrong = as(aliceKey, "cancel", "example.p2p", "--recovery-key",
        bobKey.toString());
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).contains("the recovery key of example.p2p is");
    CliRun.Result cancel = as(aliceKey, "cancel", "example.p2p", "--recovery-key",
        rescueKey.toString());
    assertThat(cancel.code()).as(cancel.toString()).isZero();
    assertThat(cancel.out()).contains("cancelled the transfer of example.p2p to " + pub(bobKey));
    SignedRecord back = stored("example.p2p");
    assertThat(Ed25519Keys.toHex(back.ownerKey())).isEqualTo(pub(aliceKey));
    // Bob's key, handed the name, cannot change it any more.
    assertThat(as(bobKey, "update", "example.p2p", "--a", "192.0.2.66").code()).isEqualTo(1);
    CliRun.Result shown = as(aliceKey, "show", "example.p2p");
    assertThat(shown.out()).contains("recovery key:").contains("(by the recovery key)")
        .contains("plain (no commitment)");
    // Alice goes on with her key.
    assertThat(as(aliceKey, "update", "example.p2p", "--a", "192.0.2.7").code()).isZero();
  }

  @Test
  void theNodesRefusalIsExitCode1WithItsReasonAndNothingIsStored() throws Exception {
    // This machine's clock two hours ahead of the node's: the CLI's own checks pass, the node
    // refuses the issue time (rule 6).
    CliRun ahead = cli.withClock(Clock.offset(clock, Duration.ofHours(2)));
    // With the commit step the node refuses the commitment first: its time is not live.
    CliRun.Result committed = ahead.run("--node", node.endpoint(), "--key",
        aliceKey.toString(), "register", "example.p2p", "--a", "192.0.2.1");
    assertThat(committed.code()).as(committed.toString()).isEqualTo(1);
    assertThat(committed.err()).contains("the node refused the commitment: clock skew")
        .contains("run NTP");
    assertThat(node.commitments).isEmpty();
    CliRun.Result r = ahead.run("--node", node.endpoint(), "--key", aliceKey.toString(),
        "register", "example.p2p", "--a", "192.0.2.1", "--no-commit");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("the node refused example.p2p: clock skew")
        .contains("ahead of this node's clock");
    assertThat(r.out()).isEmpty();
    assertThat(node.submissions()).isEqualTo(1);
    assertThat(node.record("example.p2p")).isEmpty();
  }

  @Test
  void changesAreBuiltOnTheNodesCurrentVersion() throws Exception {
    assertThat(as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1").code()).isZero();
    // Another machine of the owner has updated the name twice meanwhile.
    SignedRecord v1 = stored("example.p2p");
    Ed25519Keys.KeyPair alice = KeyFiles.read(aliceKey, null);
    long now = clock.instant().getEpochSecond();
    SignedRecord v2 = net.update(v1, alice, now, TestNetwork.rrs("example.p2p", "@ A 192.0.2.2"));
    SignedRecord v3 = net.update(v2, alice, now, TestNetwork.rrs("example.p2p", "@ A 192.0.2.3"));
    node.put(v3);

    assertThat(as(aliceKey, "renew", "example.p2p").code()).isZero();

    SignedRecord v4 = stored("example.p2p");
    assertThat(v4.serial()).isEqualTo(4);
    assertThat(v4.rrs()).isEqualTo(v3.rrs());
  }

  @Test
  void renewTransferAndRevoke() throws Exception {
    assertThat(as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1", "--lifetime", "10d")
        .code()).isZero();
    SignedRecord v1 = stored("example.p2p");

    CliRun.Result renew = as(aliceKey, "renew", "example.p2p", "--lifetime", "20d");
    assertThat(renew.code()).as(renew.toString()).isZero();
    SignedRecord v2 = stored("example.p2p");
    assertThat(v2.expiresAt() - v2.issuedAt()).isEqualTo(20 * 86_400);
    assertThat(v2.rrs()).isEqualTo(v1.rrs());

    CliRun.Result badTo = as(aliceKey, "transfer", "example.p2p", "--to", "abc");
    assertThat(badTo.code()).isEqualTo(2);
    assertThat(badTo.err()).contains("64 hex digits");

    CliRun.Result transfer = as(aliceKey, "transfer", "example.p2p", "--to", pub(bobKey));
    assertThat(transfer.code()).as(transfer.toString()).isZero();
    assertThat(transfer.out()).contains("transferred example.p2p to " + pub(bobKey)
        + " (serial 3)");
    SignedRecord v3 = stored("example.p2p");
    assertThat(Ed25519Keys.toHex(v3.ownerKey())).isEqualTo(pub(bobKey));

    assertThat(as(aliceKey, "update", "example.p2p", "--a", "192.0.2.9").code()).isEqualTo(1);
    CliRun.Result bobUpdates = as(bobKey, "update", "example.p2p", "--a", "192.0.2.9");
    assertThat(bobUpdates.code()).as(bobUpdates.toString()).isZero();

    CliRun.Result noYes = as(bobKey, "revoke", "example.p2p");
    assertThat(noYes.code()).isEqualTo(2);
    assertThat(noYes.err()).contains("--yes");
    assertThat(stored("example.p2p").kind()).isEqualTo(SignedRecord.Kind.DATA);

    CliRun.Result declined = cli.withTerminal(CliRun.scripted("no")).run("--node",
        node.endpoint(), "--key", bobKey.toString(), "revoke", "example.p2p");
    assertThat(declined.code()).isEqualTo(2);
    assertThat(stored("example.p2p").kind()).isEqualTo(SignedRecord.Kind.DATA);

    CliRun.Result confirmed = cli.withTerminal(CliRun.scripted("example.p2p")).run("--node",
        node.endpoint(), "--key", bobKey.toString(), "revoke", "example.p2p");
    assertThat(confirmed.code()).as(confirmed.toString()).isZero();
    SignedRecord tomb = stored("example.p2p");
    assertThat(tomb.kind()).isEqualTo(SignedRecord.Kind.TOMBSTONE);
    assertThat(tomb.serial()).isEqualTo(5);
    assertThat(tomb.expiresAt() - tomb.issuedAt())
        .isEqualTo(net.params().recordLifetime().toSeconds());

    CliRun.Result after = as(bobKey, "update", "example.p2p", "--a", "192.0.2.1");
    assertThat(after.code()).isEqualTo(1);
    assertThat(after.err()).contains("revoked");
  }

  @Test
  void showPrintsTheRecordInTextAndJson() throws Exception {
    assertThat(as(aliceKey, "register", "example.p2p", "--a", "192.0.2.1", "--mx", "10 mail")
        .code()).isZero();
    SignedRecord rec = stored("example.p2p");

    CliRun.Result text = as(aliceKey, "show", "example.p2p");
    assertThat(text.code()).as(text.toString()).isZero();
    assertThat(text.out()).contains("name:      example.p2p")
        .contains("status:    found")
        .contains("owner:     " + pub(aliceKey))
        .contains("serial:    1")
        .contains("handovers: none")
        .contains("example.p2p.\t\t300\tIN\tMX\t10 mail.example.p2p.")
        .contains("digest:    " + rec.digestHex())
        .contains("verified:  yes")
        .containsPattern("expires:   \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    CliRun.Result json = as(aliceKey, "show", "example.p2p", "--json");
    assertThat(json.code()).isZero();
    assertThat(json.out()).contains("\"name\": \"example.p2p\"").contains("\"serial\": 1")
        .contains("\"digest\": \"" + rec.digestHex() + "\"").contains("\"records\": [");

    CliRun.Result missing = as(aliceKey, "show", "nothing.p2p");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nothing.p2p is not registered");
  }

  @Test
  void domainsPagesThroughEveryNameAndNodesAndStatusPrintWhatTheNodeSays() throws Exception {
    Ed25519Keys.KeyPair k = Ed25519Keys.generate();
    long now = clock.instant().getEpochSecond();
    for (String n : List.of("d.p2p", "a.p2p", "c.p2p", "b.p2p", "e.p2p")) {
      node.put(net.claim(k, n, now, List.of()));
    }
    node.pageSize(2);

    CliRun.Result domains = cli.run("--node", node.endpoint(), "domains");
    assertThat(domains.code()).as(domains.toString()).isZero();
    assertThat(domains.out().lines()).containsExactly("a.p2p", "b.p2p", "c.p2p", "d.p2p",
        "e.p2p");

    CliRun.Result nodes = cli.run("--node", node.endpoint(), "nodes");
    assertThat(nodes.code()).isZero();
    assertThat(nodes.out()).contains("a".repeat(64)).contains("127.0.0.1:8001")
        .contains("connected").contains("2023-11-14T22:13:20Z");

    CliRun.Result status = cli.run("--node", node.endpoint(), "status");
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("endpoint: " + node.endpoint()).contains("records: 5");
  }

  @Test
  void configurationLayersGiveTheEndpointAndKey() throws Exception {
    Path conf = home.resolve("p2pdns.conf");
    Files.writeString(conf, "# test\ncli.node = " + node.endpoint() + "\ncli.key = "
        + aliceKey + "\n");
    CliRun.Result viaFile = cli.run("--config", conf.toString(), "status");
    assertThat(viaFile.code()).as(viaFile.toString()).isZero();

    CliRun.Result viaEnv = cli.withEnv(Map.of("P2PDNS_CLI_NODE", node.endpoint()))
        .run("status");
    assertThat(viaEnv.code()).isZero();

    CliRun.Result setWins = cli.withEnv(Map.of("P2PDNS_CLI_NODE", "tcp://127.0.0.1:1"))
        .run("--set", "cli.node=" + node.endpoint(), "status");
    assertThat(setWins.code()).isZero();
    CliRun.Result badEndpoint = cli.run("--node", "127.0.0.1:8002", "status");
    assertThat(badEndpoint.code()).isEqualTo(2);
    assertThat(badEndpoint.err()).contains("tcp://127.0.0.1:8002");
  }
}
