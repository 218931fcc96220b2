package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.p2pdns.cli.records.RecordDrafts;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.xbill.DNS.Record;

/** Every kind of version the CLI makes is accepted by the network's own rules, in sequence. */
class RecordDraftsTest {
  private static final long T0 = 1_800_000_000L;
  private final TestNetwork net = new TestNetwork();
  private final Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
  private final Ed25519Keys.KeyPair bob = Ed25519Keys.generate();

  private static List<Record> rrs(String... lines) {
    return TestNetwork.rrs("example.p2p", lines);
  }

  private RecordDrafts at(long t) {
    return new RecordDrafts(net.params(), TestNetwork.fixedClock(t));
  }

  private static RecordValidator validator(long t) {
    return new RecordValidator(new TestNetwork().params(), TestNetwork.fixedClock(t));
  }

  private SignedRecord accepted(SignedRecord incoming, Optional<SignedRecord> stored, long t) {
    assertThat(validator(t).check(incoming)).isEmpty();
    assertThat(validator(t).decide(incoming, stored))
        .isInstanceOf(RecordValidator.Verdict.Accept.class);
    return incoming;
  }

  @Test
  void claimUpdateRenewTransferAndRevokeAreEachAcceptedByTheRules() throws Exception {
    RecordDrafts d0 = at(T0);
    RecordContent draft = d0.claim("example.p2p", alice.publicKey(), 0, rrs("@ A 192.0.2.1"),
        d0.lifetime(Optional.empty()));
    long nonce = net.mine("example.p2p", alice.publicKey());
    SignedRecord v1 = accepted(net.signer().sign(RecordDrafts.withNonce(draft, nonce), alice),
        Optional.empty(), T0);
    assertThat(v1.serial()).isEqualTo(1);
    assertThat(v1.expiresAt() - v1.issuedAt())
        .isEqualTo(net.params().recordLifetime().toSeconds());

    SignedRecord v2 = accepted(net.signer().sign(at(T0 + 10).update(v1,
        rrs("@ A 192.0.2.2", "www CNAME @"), Optional.empty()), alice), Optional.of(v1), T0 + 10);
    assertThat(v2.serial()).isEqualTo(2);
    assertThat(v2.expiresAt()).as("update keeps the expiry").isEqualTo(v1.expiresAt());
    assertThat(v2.issuedAt()).isEqualTo(T0 + 10);
    assertThat(v2.rrs()).hasSize(2);
    assertThat(v2.content().powNonce()).isEqualTo(nonce);

    SignedRecord v3 = accepted(net.signer().sign(at(T0 + 20).renew(v2, Duration.ofDays(30)),
        alice), Optional.of(v2), T0 + 20);
    assertThat(v3.expiresAt()).isEqualTo(T0 + 20 + Duration.ofDays(30).toSeconds());
    assertThat(v3.rrs()).isEqualTo(v2.rrs());

    SignedRecord v4 = accepted(net.signer().sign(at(T0 + 30).transfer(v3,
        net.signer().extendChain(v3, alice, bob.publicKey(), 4)), alice), Optional.of(v3),
        T0 + 30);
    assertThat(v4.ownerKey()).isEqualTo(bob.publicKey());
    assertThat(v4.signerKey()).isEqualTo(alice.publicKey());

    SignedRecord v5 = accepted(net.signer().sign(at(T0 + 40).update(v4, rrs("@ A 192.0.2.5"),
        Optional.empty()), bob), Optional.of(v4), T0 + 40);
    assertThat(v5.handovers()).hasSize(1);

    SignedRecord v6 = accepted(net.signer().sign(at(T0 + 50).revoke(v5), bob), Optional.of(v5),
        T0 + 50);
    assertThat(v6.kind()).isEqualTo(SignedRecord.Kind.TOMBSTONE);
    assertThat(v6.rrs()).isEmpty();
    assertThat(v6.expiresAt()).isGreaterThanOrEqualTo(v5.expiresAt());
  }

  @Test
  void lifetimesAreCappedAtTheNetworksAndMustBePositive() throws Exception {
    RecordDrafts d = at(T0);
    Duration max = net.params().recordLifetime();
    assertThat(d.lifetime(Optional.of(Duration.ofDays(7)))).isEqualTo(Duration.ofDays(7));
    assertThat(d.lifetime(Optional.of(max.plusDays(1)))).isEqualTo(max);
    assertThat(d.exceedsNetwork(Optional.of(max.plusDays(1)))).isTrue();
    assertThat(d.exceedsNetwork(Optional.of(max))).isFalse();
    assertThat(catchThrowableOfType(CliException.class,
        () -> d.lifetime(Optional.of(Duration.ZERO))).exitCode()).isEqualTo(2);
  }

  @Test
  void anExpiredRecordCannotBeUpdatedWithoutANewLifetime() throws Exception {
    SignedRecord v1 = net.claim(alice, "example.p2p", T0, rrs("@ A 192.0.2.1"));
    long later = v1.expiresAt() + 1;
    CliException e = catchThrowableOfType(CliException.class,
        () -> at(later).update(v1, rrs("@ A 192.0.2.9"), Optional.empty()));
    assertThat(e.getMessage()).contains("expired").contains("--lifetime");
    RecordContent renewed = at(later).update(v1, rrs("@ A 192.0.2.9"),
        Optional.of(Duration.ofDays(1)));
    assertThat(renewed.expiresAt()).isEqualTo(later + 86_400);
  }
}
