package dev.planeguard;

/**
 * Verifies a machine or sandbox key. The verifier checks syntax and checksum before any lookup,
 * compares hashes in constant time, and must not throw or log the key.
 */
@FunctionalInterface
public interface KeyVerifier {

  /**
   * Verifies {@code presentedKey}.
   *
   * @param presentedKey the header value, unchecked and possibly hostile
   * @param expectedKind {@link ApiKey.Kind#MACHINE} on machine routes, {@link ApiKey.Kind#SANDBOX}
   *     for {@code X-AOS-Customer-Key}
   * @param mode the mode of this process; a key issued for another mode is {@link
   *     Reason#KEY_MODE_MISMATCH}
   * @return {@link Verification.Verified} with a {@link MachinePrincipal} (machine) or {@link
   *     SandboxPrincipal} (sandbox), {@link Verification.Rejected}, or {@link
   *     Verification.Unavailable}
   */
  Verification verify(String presentedKey, ApiKey.Kind expectedKind, Mode mode);
}
