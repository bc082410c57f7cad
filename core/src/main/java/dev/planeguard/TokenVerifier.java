package dev.planeguard;

/**
 * Verifies the JWT of a human-plane request. The engine has already taken it from {@code
 * Authorization: Bearer}; the verifier does every check on the token itself (syntax and size before
 * parsing, algorithm, signature, issuer, audience, times) and must not throw.
 */
@FunctionalInterface
public interface TokenVerifier {

  /**
   * Verifies {@code token}.
   *
   * @param token the credential after {@code "Bearer "}, unchecked and possibly hostile
   * @return {@link Verification.Verified} with a {@link HumanPrincipal}, {@link
   *     Verification.Rejected} with {@link Reason#INVALID_TOKEN}, or {@link
   *     Verification.Unavailable}
   */
  Verification verify(String token);
}
