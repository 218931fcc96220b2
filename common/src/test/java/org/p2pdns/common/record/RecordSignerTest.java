package org.p2pdns.common.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.p2pdns.common.record.RecordFixtures.ALICE;
import static org.p2pdns.common.record.RecordFixtures.BOB;
import static org.p2pdns.common.record.RecordFixtures.CAROL;
import static org.p2pdns.common.record.RecordFixtures.NOW;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.testing.TestNetwork;

class RecordSignerTest {
  private static final TestNetwork NET = new TestNetwork();
  private static final String NAME = "example.p2p";

  @Test
  void signsOnlyWithTheSignerKey() {
    SignedRecord a1 = NET.claim(ALICE, NAME, NOW, List.of());
    RecordContent c = a1.content();
    RecordContent a2 = new RecordContent(SignedRecord.Kind.DATA, NAME, 2, NOW, NOW + 100,
        c.claimKey(), c.powNonce(), List.of(), List.of());
    assertThatThrownBy(() -> NET.signer().sign(a2, BOB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be signed by");
    // The transfer version is signed by the old owner, the next one by the new owner.
    SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
    assertThatThrownBy(() -> NET.update(toBob, ALICE, NOW, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(NET.update(toBob, BOB, NOW, List.of()).signerKey()).isEqualTo(BOB.publicKey());
  }

  @Test
  void onlyTheOwnerCanExtendTheChain() {
    SignedRecord a1 = NET.claim(ALICE, NAME, NOW, List.of());
    assertThatThrownBy(() -> NET.signer().extendChain(a1, CAROL, CAROL.publicKey(), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current owner");
    List<Handover> chain = NET.signer().extendChain(a1, ALICE, BOB.publicKey(), 2);
    assertThat(chain).hasSize(1);
    assertThat(chain.get(0).toKey()).isEqualTo(BOB.publicKey());
    assertThat(chain.get(0).serial()).isEqualTo(2);
  }

  @Test
  void signerKeyOfAChainIsThePreviousKeyOnlyInTheTransferVersion() {
    SignedRecord a1 = NET.claim(ALICE, NAME, NOW, List.of());
    SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
    SignedRecord toCarol = NET.transfer(toBob, BOB, CAROL.publicKey(), NOW);
    assertThat(toCarol.signerKey()).isEqualTo(BOB.publicKey());
    assertThat(toCarol.ownerKey()).isEqualTo(CAROL.publicKey());
    SignedRecord c4 = NET.update(toCarol, CAROL, NOW, List.of());
    assertThat(c4.signerKey()).isEqualTo(CAROL.publicKey());
  }
}
