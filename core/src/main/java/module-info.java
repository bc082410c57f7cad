/**
 * planeguard core: the environment contract, the route policy, the decision engine and the
 * credential verifiers. It depends on neither Servlet nor Spring; adapters live in their own
 * modules and hold no policy logic.
 *
 * <p>Exported: {@code dev.planeguard} (contract, policy, engine, human plane, startup), {@code
 * dev.planeguard.keys} (machine and sandbox keys and their stores), {@code dev.planeguard.secrets}
 * (secret resolution and tiers) and {@code dev.planeguard.annotation}. Everything in {@code
 * dev.planeguard.internal} may change in any release.
 */
module dev.planeguard.core {
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires io.github.bucket4j.core;
  requires io.github.bucket4j.postgresql;
  requires com.nulabinc.zxcvbn;
  requires org.slf4j;
  requires transitive java.sql;
  requires java.net.http;
  // Only for JdbcKeyStore's LISTEN/NOTIFY listener; optional at run time.
  requires static org.postgresql.jdbc;
  requires static transitive org.jspecify;

  exports dev.planeguard;
  exports dev.planeguard.annotation;
  exports dev.planeguard.keys;
  exports dev.planeguard.secrets;

  // The native signature provider of planeguard-crypto-native, when it is present and asked for.
  uses dev.planeguard.NativeCrypto;
}
