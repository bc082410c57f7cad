package dev.planeguard.it;

import static dev.planeguard.it.Results.accepted;
import static dev.planeguard.it.Results.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import dev.planeguard.HumanIssuer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with a third-party OpenID provider, NAV's mock-oauth2-server, started on loopback: its
 * discovery document, its JWKS and its tokens are accepted; tampered tokens are not.
 */
class MockOAuth2InteropTest {

  static MockOAuth2Server server;
  static String issuer;
  static JwtVerifier verifier;

  @BeforeAll
  static void start() throws Exception {
    server = new MockOAuth2Server();
    server.start(InetAddress.getLoopbackAddress(), 0);
    issuer = server.issuerUrl("tenant1").toString();
    verifier =
        JwtVerifier.builder()
            .issuer(HumanIssuer.oidc(issuer).audiences("orders-api").build())
            .mode(Mode.TEST)
            .build();
  }

  @AfterAll
  static void stop() {
    verifier.close();
    server.shutdown();
  }

  static String token(String audience, Map<String, Object> claims) {
    return server
        .issueToken(
            "tenant1",
            "client-1",
            new DefaultOAuth2TokenCallback(issuer, "alice", "JWT", List.of(audience), claims, 300))
        .serialize();
  }

  @Test
  void itsTokensAreAcceptedThroughDiscovery() {
    HumanPrincipal p =
        accepted(
            verifier.verify(token("orders-api", Map.of("sid", "s-1", "scope", "openid orders"))));
    assertThat(p.subject()).isEqualTo("alice");
    assertThat(p.issuer()).isEqualTo(issuer);
    assertThat(p.sessionId()).isEqualTo("s-1");
    assertThat(p.scopes()).contains("openid", "orders");
  }

  @Test
  void tamperedTokensAreRejected() {
    String token = token("orders-api", Map.of());
    String[] parts = token.split("\\.");
    String otherPayload = token("orders-api", Map.of("role", "admin")).split("\\.")[1];
    rejected(verifier.verify(parts[0] + "." + otherPayload + "." + parts[2]), Detail.BAD_SIGNATURE);
    char last = parts[2].charAt(0);
    String flipped = (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
    rejected(verifier.verify(parts[0] + "." + parts[1] + "." + flipped), Detail.BAD_SIGNATURE);
    rejected(verifier.verify(token("someone-else", Map.of())), Detail.WRONG_AUDIENCE);
  }

  @Test
  void anotherTenantOfTheSameServerIsAnotherIssuer() {
    String other =
        server
            .issueToken(
                "tenant2",
                "client-1",
                new DefaultOAuth2TokenCallback(
                    server.issuerUrl("tenant2").toString(),
                    "bob",
                    "JWT",
                    List.of("orders-api"),
                    Map.of(),
                    300))
            .serialize();
    rejected(verifier.verify(other), Detail.WRONG_ISSUER);
  }
}
