package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.test.TestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code decide --jwks/--issuer/--audience/--azp} with really signed tokens. */
class DecideJwtCommandTest {

  @TempDir static Path dir;
  static Path policy;
  static Path jwks;
  static TestIssuer issuer;

  @BeforeAll
  static void setUp() throws Exception {
    issuer = TestIssuer.start();
    policy = dir.resolve("planeguard.policy");
    Files.writeString(policy, "human /api/v1/accounts/**\npublic /healthz\n");
    jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
  }

  @AfterAll
  static void tearDown() {
    issuer.close();
  }

  static CliRun decide(String token, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "decide",
                "--policy",
                policy.toString(),
                "--mode",
                "test",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "Authorization: Bearer " + token));
    args.addAll(Arrays.asList(extra));
    return CliRun.run(args.toArray(String[]::new));
  }

  static Map<String, Object> json(CliRun r) throws Exception {
    assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
    return JSONObjectUtils.parse(r.out());
  }

  String[] fileFlags(String jwksValue) {
    return new String[] {
      "--jwks", jwksValue, "--issuer", issuer.issuerId(), "--audience", issuer.audience()
    };
  }

  @Test
  void aValidTokenIsAuthenticatedWithItsPrincipal() throws Exception {
    String token = issuer.token().subject("user_9").sessionId("sess_9").scope("a", "b").sign();
    for (String location :
        List.of(jwks.toString(), jwks.toUri().toString(), issuer.jwksUri().toString())) {
      Map<String, Object> d = json(decide(token, fileFlags(location)));
      assertThat(d).containsEntry("reason", "AUTHENTICATED").containsEntry("detail", null);
      @SuppressWarnings("unchecked")
      Map<String, Object> p = (Map<String, Object>) d.get("principal");
      assertThat(p)
          .containsEntry("type", "human")
          .containsEntry("subject", "user_9")
          .containsEntry("issuer", issuer.issuerId())
          .containsEntry("sessionId", "sess_9")
          .containsEntry("scopes", List.of("a", "b"));
    }
  }

  @Test
  void nativeCryptoDecidesAsTheJdkDoes() throws Exception {
    String[] flags = fileFlags(jwks.toString());
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256)) {
      String token = issuer.token().algorithm(alg).sign();
      assertThat(json(decide(token, concat(flags, "--crypto", "native"))))
          .isEqualTo(json(decide(token, concat(flags, "--crypto", "jdk"))))
          .containsEntry("reason", "AUTHENTICATED");
      // The second-to-last character changes: it carries six bits of the signature, so the
      // signature stays canonical base64url (the last one also carries zero padding bits).
      char flipped = token.charAt(token.length() - 2) == 'A' ? 'B' : 'A';
      String tampered =
          token.substring(0, token.length() - 2) + flipped + token.charAt(token.length() - 1);
      assertThat(json(decide(tampered, concat(flags, "--crypto", "native"))))
          .containsEntry("reason", "INVALID_TOKEN")
          .containsEntry("detail", "BAD_SIGNATURE");
    }
    CliRun wrong = decide(issuer.token().sign(), concat(flags, "--crypto", "fast"));
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err())
        .contains(
            "--crypto: must be jdk or native, not \"fast\". Fix: set --crypto to native (needs the"
                + " planeguard-crypto-native module) or jdk, or unset it (the JDK verifies"
                + " signatures by default)");
    CliRun alone =
        CliRun.run(
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "test",
            "--method",
            "GET",
            "--target",
            "/healthz",
            "--crypto",
            "native");
    assertThat(alone.exit()).isEqualTo(2);
    assertThat(alone.err()).contains("--crypto needs --issuer (and --jwks, or discovery)");
  }

  @Test
  void issuerModesLimitWhereTheIssuersTokensAreAccepted() throws Exception {
    String token = issuer.token().sign();
    String[] flags = fileFlags(jwks.toString());
    // Allowed in test: accepted.
    assertThat(json(decide(token, concat(flags, "--issuer-modes", "test,local"))))
        .containsEntry("reason", "AUTHENTICATED");
    // Limited to other modes: the issuer is not trusted in test, its tokens are WRONG_ISSUER.
    Map<String, Object> d = json(decide(token, concat(flags, "--issuer-modes", "preprod,prod")));
    assertThat(((Number) d.get("status")).intValue()).isEqualTo(401);
    assertThat(d).containsEntry("reason", "INVALID_TOKEN").containsEntry("detail", "WRONG_ISSUER");

    CliRun unknown = decide(token, concat(flags, "--issuer-modes", "test,staging"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("--issuer-modes: has unknown mode \"staging\"")
        .contains("list modes from local, test, preprod, prod");
  }

  @Test
  void aTestOnlyIssuerIsRefusedInProd() {
    CliRun r =
        CliRun.run(
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "prod",
            "--method",
            "GET",
            "--target",
            "/api/v1/accounts/me",
            "--jwks",
            jwks.toUri().toString(),
            "--issuer",
            issuer.issuerId(),
            "--audience",
            issuer.audience(),
            "--issuer-modes",
            "local,test");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "--issuer-modes: limits the issuer \""
                + issuer.issuerId()
                + "\" to local, test, which AOS_MODE=prod does not allow")
        .contains("add prod to --issuer-modes");
  }

  static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void openIdDiscoveryWithIssuerAlone() throws Exception {
    Map<String, Object> d =
        json(
            decide(
                issuer.token().sign(),
                "--issuer",
                issuer.issuerId(),
                "--audience",
                issuer.audience()));
    assertThat(d).containsEntry("reason", "AUTHENTICATED");
  }

  static final String APP = "https://app.test";

  static TestIssuer.TokenBuilder good() {
    return issuer.token().authorizedParty(APP);
  }

  @ParameterizedTest
  @CsvSource({
    "MALFORMED",
    "TOO_LARGE",
    "BAD_SIGNATURE",
    "DISALLOWED_ALG",
    "UNKNOWN_KID",
    "WRONG_ISSUER",
    "WRONG_AUDIENCE",
    "WRONG_AZP",
    "EXPIRED",
    "NOT_YET_VALID",
    "IAT_IN_FUTURE",
    "LIFETIME_TOO_LONG",
    "BAD_TYP",
    "BAD_CRIT",
    "MISSING_CLAIM"
  })
  void eachBadTokenIs401WithItsDetail(String detail) throws Exception {
    Instant now = Instant.now();
    String token =
        switch (detail) {
          case "MALFORMED" -> good().sign() + "=";
          case "TOO_LARGE" -> good().claim("pad", "x".repeat(9000)).sign();
          case "BAD_SIGNATURE" -> {
            String[] a = good().sign().split("\\.");
            yield a[0] + "." + a[1] + "." + good().subject("other").sign().split("\\.")[2];
          }
          case "DISALLOWED_ALG" -> good().algorithm(JWSAlgorithm.PS256).sign();
          case "UNKNOWN_KID" -> good().kid("nope").sign();
          case "WRONG_ISSUER" -> good().issuer("https://evil.test").sign();
          case "WRONG_AUDIENCE" -> good().audience("other").sign();
          case "WRONG_AZP" -> issuer.token().sign();
          case "EXPIRED" ->
              good().issuedAt(now.minusSeconds(7200)).expiresIn(Duration.ofMinutes(5)).sign();
          case "NOT_YET_VALID" -> good().notBefore(now.plusSeconds(3600)).sign();
          case "IAT_IN_FUTURE" -> good().issuedAt(now.plusSeconds(3600)).sign();
          case "LIFETIME_TOO_LONG" -> good().expiresIn(Duration.ofDays(3)).sign();
          case "BAD_TYP" -> good().type("at+jwt").sign();
          case "BAD_CRIT" -> good().critical("exp").sign();
          default -> good().withoutClaim("exp").sign();
        };
    String[] flags = {
      "--jwks",
      jwks.toString(),
      "--issuer",
      issuer.issuerId(),
      "--audience",
      issuer.audience(),
      "--azp",
      APP
    };
    CliRun run = decide(token, flags);
    Map<String, Object> d = json(run);
    assertThat(((Number) d.get("status")).intValue()).isEqualTo(401);
    assertThat(d)
        .containsEntry("reason", "INVALID_TOKEN")
        .containsEntry("detail", detail)
        .containsEntry("principal", null);
    assertThat(run.out() + run.err()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    assertThat(json(decide(good().sign(), flags))).containsEntry("reason", "AUTHENTICATED");
  }

  @Test
  void anAuthorizedPartyIsChecked() throws Exception {
    String[] flags = {
      "--jwks", jwks.toString(), "--issuer", issuer.issuerId(), "--azp", "https://app.test"
    };
    assertThat(json(decide(issuer.token().authorizedParty("https://app.test").sign(), flags)))
        .containsEntry("reason", "AUTHENTICATED");
    assertThat(json(decide(issuer.token().sign(), flags))).containsEntry("detail", "WRONG_AZP");
  }

  @Test
  void anUnreachableJwksIs503() throws Exception {
    Map<String, Object> d =
        json(decide(issuer.token().sign(), fileFlags("http://127.0.0.1:1/.well-known/jwks.json")));
    assertThat(((Number) d.get("status")).intValue()).isEqualTo(503);
    assertThat(d)
        .containsEntry("reason", "VERIFIER_UNAVAILABLE")
        .containsEntry("detail", "JWKS_UNAVAILABLE");
    Map<String, Object> missing =
        json(decide(issuer.token().sign(), fileFlags(dir.resolve("none.json").toString())));
    assertThat(missing).containsEntry("detail", "JWKS_UNAVAILABLE");
  }

  @Test
  void withoutJwksFlagsTheHumanPlaneIsNotConfigured() throws Exception {
    assertThat(json(decide(issuer.token().sign()))).containsEntry("detail", "NOT_CONFIGURED");
  }

  @Test
  void usageErrors() {
    assertThat(decide("x", "--jwks", jwks.toString()).exit()).isEqualTo(2); // no --issuer
    assertThat(decide("x", "--audience", "a").exit()).isEqualTo(2);
    assertThat(decide("x", "--jwks", jwks.toString(), "--issuer", issuer.issuerId()).exit())
        .isEqualTo(2); // no aud/azp
    CliRun prod =
        CliRun.run(
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "prod",
            "--method",
            "GET",
            "--target",
            "/api/v1/accounts/me",
            "--jwks",
            issuer.jwksUri().toString(),
            "--issuer",
            issuer.issuerId(),
            "--audience",
            "a");
    assertThat(prod.exit()).isEqualTo(2);
    assertThat(prod.err()).contains("plain http:");
  }

  @ParameterizedTest
  @CsvSource({"preprod", "prod"})
  void productionModesNeedAnAudience(String mode) throws Exception {
    try (TestIssuer https = TestIssuer.builder().issuerId("https://auth.example.test").start()) {
      Path keys = dir.resolve("https-jwks.json");
      Files.writeString(keys, https.publicJwks().toString());
      String token = https.token().authorizedParty(APP).sign();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "decide",
                  "--policy",
                  policy.toString(),
                  "--mode",
                  mode,
                  "--method",
                  "GET",
                  "--target",
                  "/api/v1/accounts/me",
                  "--header",
                  "Authorization: Bearer " + token,
                  "--jwks",
                  keys.toString(),
                  "--issuer",
                  https.issuerId(),
                  "--azp",
                  APP));

      CliRun azpOnly = CliRun.run(args.toArray(String[]::new));
      assertThat(azpOnly.exit()).isEqualTo(2);
      assertThat(azpOnly.out()).isEmpty();
      assertThat(azpOnly.err())
          .startsWith(
              "planeguard: --mode "
                  + mode
                  + " needs --audience: without"
                  + " one, tokens minted for any API of this issuer would be accepted"
                  + System.lineSeparator());

      args.add("--json");
      CliRun json = CliRun.run(args.toArray(String[]::new));
      assertThat(json.exit()).isEqualTo(2);
      assertThat(JSONObjectUtils.parse(json.out()))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "error",
                  "usage",
                  "message",
                  "--mode "
                      + mode
                      + " needs --audience: without one, tokens minted for any API"
                      + " of this issuer would be accepted"));

      args.addAll(List.of("--audience", https.audience()));
      assertThat(json(CliRun.run(args.toArray(String[]::new))))
          .containsEntry("reason", "AUTHENTICATED")
          .containsEntry("detail", null);
    }
  }
}
