package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A caller authenticated by a verified JWT.
 *
 * @param subject the {@code sub} claim
 * @param issuer the {@code iss} claim, exactly as configured
 * @param sessionId the {@code sid} claim, if present
 * @param tenant the tenant claim (for example Clerk's {@code org_id}), if present
 * @param scopes scopes granted by the token: its space-separated "scope" claim or its "scp" array
 * @param claims all claims of the token in the token's order, unmodifiable (from the JWT verifier:
 *     at every depth), typed as Nimbus types JSON: objects {@code Map}, arrays {@code List},
 *     strings, booleans, a JSON {@code null} member as a null value, integers that fit as {@code
 *     Long} and other numbers as {@code Double}; never printed by {@link #toString()}
 */
public record HumanPrincipal(
    String subject,
    String issuer,
    @Nullable String sessionId,
    @Nullable String tenant,
    Set<String> scopes,
    Map<String, Object> claims)
    implements Principal {

  /** Copies the collections (claims the JWT verifier has already frozen are kept). */
  public HumanPrincipal {
    requireNonNull(subject, "subject");
    requireNonNull(issuer, "issuer");
    scopes = Set.copyOf(scopes);
    claims =
        claims instanceof VerifiedClaims
            ? claims
            : Collections.unmodifiableMap(new LinkedHashMap<>(claims));
  }

  @Override
  public String id() {
    return subject;
  }

  @Override
  public Plane plane() {
    return Plane.HUMAN;
  }

  /** Subject, issuer, session, tenant and scopes; claims are left out. */
  @Override
  public String toString() {
    return "HumanPrincipal{subject="
        + subject
        + ", issuer="
        + issuer
        + ", sessionId="
        + sessionId
        + ", tenant="
        + tenant
        + ", scopes="
        + scopes
        + "}";
  }
}
