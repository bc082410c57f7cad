/**
 * planeguard core: the environment contract, the route policy, the decision engine and the
 * credential verifiers. It depends on neither Servlet nor Spring; adapters live in their own
 * modules and hold no policy logic.
 *
 * <p>Only {@code dev.planeguard} is exported. Everything in {@code dev.planeguard.internal} may
 * change in any release.
 */
module dev.planeguard.core {
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires transitive java.sql;
  requires java.net.http;
  // Only for JdbcKeyStore's LISTEN/NOTIFY listener; optional at run time.
  requires static org.postgresql.jdbc;
  requires static transitive org.jspecify;

  exports dev.planeguard;
  exports dev.planeguard.annotation;
}
