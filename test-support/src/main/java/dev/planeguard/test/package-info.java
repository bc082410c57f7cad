/**
 * Test your service's authentication without weakening it.
 *
 * <ul>
 *   <li>{@link dev.planeguard.test.TestIssuer}: a real OpenID issuer on 127.0.0.1 — RSA-2048 and
 *       P-256 keys, a JWKS and a discovery document over HTTP, really signed JWTs from a fluent
 *       builder, and fault modes (rotation, outage, slow or broken JWKS) observable over HTTP.
 *   <li>{@link dev.planeguard.test.TestIssuerExtension} and {@link
 *       dev.planeguard.test.WithTestIssuer}: JUnit 5 integration, one issuer per test class.
 *   <li>{@link dev.planeguard.test.TestKeys}: machine and sandbox keys minted into a temporary key
 *       file in planeguard's JSON Lines format; the plaintext is handed to the test once.
 *   <li>{@link dev.planeguard.test.PathConfusionKit}: fires a corpus of path and header tricks at a
 *       running application over raw sockets and fails if any answer differs from the canonical
 *       request's answer (other than a 400).
 * </ul>
 *
 * <p>Nothing here skips verification: the application under test verifies every token and key
 * exactly as in production. The kit refuses to start when {@code AOS_MODE} is {@code preprod} or
 * {@code prod}.
 */
@NullMarked
package dev.planeguard.test;

import org.jspecify.annotations.NullMarked;
