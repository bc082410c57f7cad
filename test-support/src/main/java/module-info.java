/**
 * planeguard's test kit: a loopback test issuer with real keys and really signed JWTs, machine and
 * sandbox key minting into a temporary key file, and a path-confusion parity kit that probes any
 * running application over raw sockets.
 *
 * <p>Only {@code dev.planeguard.test} is exported. The kit refuses to run when {@code AOS_MODE} is
 * {@code preprod} or {@code prod}: keep it in test scope.
 */
module dev.planeguard.test {
  requires transitive dev.planeguard.core;
  requires transitive com.nimbusds.jose.jwt;
  requires transitive org.junit.jupiter.api;
  requires jdk.httpserver;
  requires static org.jspecify;

  exports dev.planeguard.test;
}
