package dev.planeguard.test.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyType;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.test.PathConfusionKit;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.test.TestIssuerExtension;
import dev.planeguard.test.TestKeys;
import dev.planeguard.test.WithTestIssuer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java examples of planeguard-test's Javadoc, compiled: each region between {@code // example:
 * NAME} and {@code // end example} is the text of the Javadoc block marked {@code <!-- example:
 * NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same. What an example uses
 * without declaring it is a parameter of its method or a member of its enclosing class.
 *
 * <p>Nothing here is run: the test classes of the examples are inner classes, which neither the
 * build nor JUnit picks up as tests.
 */
// Examples show values they do not go on to use; their test classes are inner classes on purpose.
@SuppressWarnings({"unused", "try", "ClassCanBeStatic"})
final class JavadocExamples {

  private JavadocExamples() {}

  /** Stands for the application under test. */
  static final class MyApp {
    static MyApp start(Map<String, String> environment) {
      return new MyApp();
    }
  }

  void testKeys() {
    // example: TestKeys.inTemporaryFile
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      ApiKey runner = keys.machineKey().tenant("acme").scopes("runs:write").mint();
      ApiKey reader = keys.machineKey().tenant("acme").mint();
      ApiKey sandbox = keys.sandboxKey().mode(Mode.LOCAL).tenant("acme").mint();

      // Point the service under test at keys.file() (PLANEGUARD_MACHINE_KEYS_FILE), then:
      // POST /api/v1/runs  with "X-AOS-Key: " + runner.value()   -> allowed
      // POST /api/v1/runs  with "X-AOS-Key: " + reader.value()   -> 403 INSUFFICIENT_SCOPE

      keys.revoke(runner); // rewrites the file atomically
      // POST /api/v1/runs  with runner                            -> 401 REVOKED_KEY
    }
    // end example
  }

  private final class ExtensionExample {
    // example: TestIssuerExtension.using
    class AccountsApiTest {

      @RegisterExtension
      static final TestIssuerExtension PLANEGUARD =
          TestIssuerExtension.using(TestIssuer.builder().audience("accounts-api"));

      static MyApp app;

      @BeforeAll
      static void startApp() {
        app =
            MyApp.start(
                Map.of(
                    "AOS_MODE", "test",
                    "PLANEGUARD_HUMAN_ISSUER", PLANEGUARD.issuer().issuerId(),
                    "PLANEGUARD_HUMAN_JWKS_URI", PLANEGUARD.issuer().jwksUri().toString(),
                    "PLANEGUARD_HUMAN_AUDIENCES", "accounts-api",
                    "PLANEGUARD_MACHINE_KEYS_FILE", PLANEGUARD.keys().file().toString()));
      }

      @Test
      void expiredTokensAreRefused(TestIssuer issuer) {
        String token = issuer.token().expiresIn(Duration.ofMinutes(-10)).sign();
        // assert 401 INVALID_TOKEN
      }

      @Test
      void theServiceSurvivesAnIssuerOutage(TestIssuer issuer) {
        issuer.takeDown(); // brought back up automatically before the next test
      }
    }
    // end example
  }

  private final class PathConfusionKitExample {
    int port;

    // example: PathConfusionKit.assertParity
    @Test
    void noPathTrickChangesAnAuthDecision(TestIssuer issuer, TestKeys keys) {
      PathConfusionKit.against(URI.create("http://127.0.0.1:" + port))
          .humanRoute("GET", "/api/v1/accounts/me")
          .machineRoute("GET", "/api/v1/runs/42")
          .machineRoute("POST", "/api/v1/telemetry/events")
          .publicRoute("GET", "/healthz")
          .unmappedRoute("GET", "/admin")
          .bearerToken(issuer.token().sign())
          .machineKey(keys.machineKey().mint().value())
          .build()
          .assertParity(); // one AssertionError listing every mismatch
    }
    // end example
  }

  void pathVariants() {
    // example: PathConfusionKit.pathVariants
    List<String> targets = PathConfusionKit.pathVariants("/api/v1/runs/42", List.of("/healthz"));
    // "/api/v1/runs/planeguard-probe/..;/42", "/healthz/..;/api/v1/runs/42",
    // "/api/v1/runs%2f42", "http://127.0.0.1/api/v1/runs/42", ...
    // end example
  }

  private final class WithTestIssuerExample {
    // example: WithTestIssuer
    @WithTestIssuer
    class AccountsApiTest {

      @Test
      void aTokenOfTheIssuerIsAccepted(TestIssuer issuer) {
        String token = issuer.token().subject("alice").sign();
        // configure the service with issuer.jwksUri(), issuer.issuerId(), issuer.audience()
        // and call it with "Authorization: Bearer " + token
      }

      @Test
      void aMachineKeyIsRefusedOnAHumanRoute(TestKeys keys) {
        ApiKey key = keys.machineKey().mint(); // keys.file() is the key file to configure
      }
    }
    // end example
  }

  void testIssuer() {
    // example: TestIssuer.start
    try (TestIssuer issuer = TestIssuer.start()) {
      // Configure the service under test with these three values:
      URI jwks = issuer.jwksUri(); // http://127.0.0.1:<port>/.well-known/jwks.json
      String iss = issuer.issuerId(); // http://127.0.0.1:<port>
      String aud = issuer.audience(); // planeguard-test

      String token = issuer.token().subject("alice").sessionId("sess_1").sign();
      // GET /api/v1/accounts/me with "Authorization: Bearer " + token   -> 200

      String expired = issuer.token().expiresAt(Instant.now().minusSeconds(3600)).sign();
      String es256 = issuer.token().algorithm(JWSAlgorithm.ES256).sign();
    }
    // end example
  }

  void keys(TestIssuer issuer) {
    // example: TestIssuer.makeCurrent
    String old = issuer.currentKid(KeyType.RSA);
    String next = issuer.createKey(KeyType.RSA); // published ahead of use
    issuer.makeCurrent(next); // new tokens are signed with it
    issuer.retire(old); // old kid disappears from the JWKS
    String stale = issuer.token().signingKey(old).sign(); // UNKNOWN_KID for a verifier
    // end example
  }

  void holdJwks(TestIssuer issuer, Enforcer enforcer, InboundRequest req) {
    // example: TestIssuer.holdJwks
    try (TestIssuer.JwksHold hold = issuer.holdJwks()) {
      CompletableFuture<Decision> pending =
          CompletableFuture.supplyAsync(() -> enforcer.decide(req));
      hold.awaitRequests(1); // the verifier's fetch is now parked in the issuer
      assertThat(pending).isNotDone(); // deterministic: nothing can answer it yet
      hold.release();
      assertThat(pending.join().allowed()).isTrue();
    }
    // end example
  }

  void builder() {
    // example: TestIssuer.Builder
    TestIssuer issuer =
        TestIssuer.builder()
            .issuerId("https://clerk.example.test") // iss of tokens and discovery
            .audience("accounts-api")
            .clock(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC))
            .start();
    // end example
  }

  void tokens(TestIssuer issuer, String kid) throws JOSEException {
    // example: TestIssuer.TokenBuilder
    String token =
        issuer
            .token()
            .subject("user_2abc")
            .audience("accounts-api", "billing-api")
            .authorizedParty("https://app.example.test")
            .sessionId("sess_1")
            .claim("org_id", "org_acme")
            .scope("accounts:read")
            .expiresIn(Duration.ofMinutes(1))
            .sign();

    // Hostile tokens, still signed by the issuer's real keys:
    issuer.token().critical("exp").sign(); // crit header
    issuer.token().header("jku", "https://evil.test/jwks").sign();
    issuer.token().header("jwk", issuer.publicKey(kid).toJSONObject()).sign();
    issuer.token().type("at+jwt").sign(); // or withoutType()
    issuer.token().kid("no-such-kid").sign(); // header kid lies
    issuer.token().withoutClaim("exp").sign(); // missing exp
    issuer.token().rawClaims("{\"sub\":\"a\",\"sub\":\"b\"}").sign(); // duplicate members
    issuer
        .token()
        .algorithm(JWSAlgorithm.HS256) // algorithm confusion
        .hmacSecret(issuer.publicKey(kid).toRSAKey().toPublicKey().getEncoded())
        .sign();
    // end example
  }
}
