package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A caller authenticated by a machine key ({@code X-AOS-Key}).
 *
 * @param keyId the key's public id, never the key itself
 * @param tenant the tenant the key belongs to
 * @param scopes the scopes granted to the key
 */
public record MachinePrincipal(String keyId, @Nullable String tenant, Set<String> scopes)
    implements Principal {

  /** Copies the scopes. */
  public MachinePrincipal {
    requireNonNull(keyId, "keyId");
    scopes = Set.copyOf(scopes);
  }

  @Override
  public String id() {
    return keyId;
  }

  @Override
  public Plane plane() {
    return Plane.MACHINE;
  }
}
