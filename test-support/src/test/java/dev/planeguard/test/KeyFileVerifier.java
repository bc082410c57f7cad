package dev.planeguard.test;

import dev.planeguard.Detail;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.Verification;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyVerifier;
import java.time.Instant;

/**
 * Verifies keys against the records of a {@link TestKeys} file, for the test servers of the parity
 * kit's own tests. planeguard's file key store replaces it once available; it follows the same
 * order: syntax and checksum, lookup, constant-time hash comparison, status, expiry, mode.
 */
final class KeyFileVerifier implements KeyVerifier {

  private final TestKeys keys;

  KeyFileVerifier(TestKeys keys) {
    this.keys = keys;
  }

  @Override
  public Verification verify(String presented, ApiKey.Kind expectedKind, Mode mode) {
    Detail defect = ApiKey.defect(presented);
    if (defect != null) {
      return Verification.rejected(Reason.INVALID_KEY, defect);
    }
    ApiKey key = ApiKey.parse(presented);
    if (key.kind() != expectedKind) {
      return Verification.rejected(Reason.INVALID_KEY, Detail.WRONG_KIND);
    }
    for (KeyRecord r : keys.records()) {
      if (!r.id().equals(key.id())) {
        continue;
      }
      if (!ApiKey.hashesEqual(r.hash(), key.hash())) {
        return Verification.rejected(Reason.INVALID_KEY, Detail.HASH_MISMATCH);
      }
      // Row 13 reasons say it all; core has no finer detail for them, UNKNOWN_ID stands in.
      if (r.status() == KeyRecord.Status.REVOKED) {
        return Verification.rejected(Reason.REVOKED_KEY, Detail.UNKNOWN_ID);
      }
      if (!r.usableAt(Instant.now())) {
        return Verification.rejected(Reason.EXPIRED_KEY, Detail.UNKNOWN_ID);
      }
      if (r.mode() != mode) {
        return Verification.rejected(Reason.KEY_MODE_MISMATCH, Detail.UNKNOWN_ID);
      }
      return Verification.verified(
          expectedKind == ApiKey.Kind.MACHINE
              ? new MachinePrincipal(r.id(), r.tenant(), r.scopes())
              : new SandboxPrincipal(r.id(), r.tenant(), r.scopes()));
    }
    return Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID);
  }
}
