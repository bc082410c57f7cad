package dev.planeguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.Reason;
import dev.planeguard.Verification;

/** Assertions on verifier answers. */
final class Results {
  private Results() {}

  static void rejected(Verification v, Detail detail) {
    assertThat(v).isEqualTo(new Verification.Rejected(Reason.INVALID_TOKEN, detail));
  }

  static void unavailable(Verification v) {
    assertThat(v).isEqualTo(new Verification.Unavailable(Detail.JWKS_UNAVAILABLE));
  }

  static HumanPrincipal accepted(Verification v) {
    assertThat(v).isInstanceOf(Verification.Verified.class);
    return (HumanPrincipal) ((Verification.Verified) v).principal();
  }
}
