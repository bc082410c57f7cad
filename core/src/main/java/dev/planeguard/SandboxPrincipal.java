package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.keys.KeyLimits;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A caller authenticated by a sandbox key ({@code X-AOS-Customer-Key}), on the human plane. Only
 * ever produced in local, or in test with sandbox keys enabled.
 *
 * @param keyId the key's public id, never the key itself
 * @param tenant the tenant the key belongs to
 * @param scopes the scopes granted to the key
 * @param limits the key's own rate limit and uses, from its record
 */
public record SandboxPrincipal(
    String keyId, @Nullable String tenant, Set<String> scopes, KeyLimits limits)
    implements Principal {

  /** Copies the scopes. */
  public SandboxPrincipal {
    requireNonNull(keyId, "keyId");
    requireNonNull(limits, "limits");
    scopes = Set.copyOf(scopes);
  }

  /** A caller whose key has no limits of its own. */
  public SandboxPrincipal(String keyId, @Nullable String tenant, Set<String> scopes) {
    this(keyId, tenant, scopes, KeyLimits.NONE);
  }

  @Override
  public String id() {
    return keyId;
  }

  @Override
  public Plane plane() {
    return Plane.HUMAN;
  }

  /** Always true: this caller used a sandbox key. */
  public boolean sandbox() {
    return true;
  }
}
