package dev.planeguard;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who made an allowed request. One of {@link HumanPrincipal}, {@link MachinePrincipal} or {@link
 * SandboxPrincipal}; switch over them exhaustively. {@link #getName()} is the subject or key id —
 * never a token or key.
 */
public sealed interface Principal extends java.security.Principal
    permits HumanPrincipal, MachinePrincipal, SandboxPrincipal {

  /** The subject of a human, the key id of a machine or sandbox caller. */
  String id();

  /** The caller's tenant, or {@code null} if it has none. */
  @Nullable String tenant();

  /** Scopes granted to the caller, checked against the rule's {@code scopes=}. */
  Set<String> scopes();

  /** The plane the credential belongs to. Sandbox callers are on the human plane. */
  Plane plane();

  /** Same as {@link #id()}. */
  @Override
  default String getName() {
    return id();
  }
}
