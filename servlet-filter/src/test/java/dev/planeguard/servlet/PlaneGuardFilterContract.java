package dev.planeguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditEvent;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.InboundRequest;
import dev.planeguard.Reason;
import dev.planeguard.keys.ApiKey;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour of {@link PlaneGuardFilter} in a real container over real HTTP. Every test runs on
 * Tomcat 11 and on Jetty 12 (the subclasses); requests are raw bytes on a socket so nothing is
 * normalised on the way. Every call also checks the plane invariant of {@link FilterSuite}.
 */
abstract class PlaneGuardFilterContract extends FilterSuite {

  static final String ACCOUNTS = "/ctx/api/v1/accounts/me";
  static final String RUNS = "/ctx/api/v1/runs";

  // ---------------------------------------------------------------- responses

  @Test
  void missingCredentialOnAHumanRoute() {
    Call call = get(ACCOUNTS);
    assertRefused(call, 401, "MISSING_CREDENTIAL", "human");
    assertThat(call.laterFilterRuns()).isZero();
    assertThat(reason(call)).isEqualTo(Reason.MISSING_CREDENTIAL);
  }

  @Test
  void missingCredentialOnAMachineRoute() {
    assertRefused(get(RUNS), 401, "MISSING_CREDENTIAL", "machine");
  }

  @Test
  void anInvalidTokenIsChallengedWithTheRfc6750Error() {
    Call call = get(ACCOUNTS, "Authorization: Bearer " + JWT);
    assertRefused(call, 401, "INVALID_TOKEN", "human");
    assertThat(onlyDecision(call).detail()).isEqualTo(Detail.WRONG_ISSUER);
    String token = token();
    String forged =
        token.substring(0, token.lastIndexOf('.') + 1) + "c2lnbmF0dXJl" + "A".repeat(330);
    Call badSignature = get(ACCOUNTS, "Authorization: Bearer " + forged);
    assertRefused(badSignature, 401, "INVALID_TOKEN", "human");
    assertThat(onlyDecision(badSignature).detail()).isEqualTo(Detail.BAD_SIGNATURE);
  }

  @Test
  void anInvalidKeyIsChallengedWithTheApiKeyScheme() {
    assertRefused(get(RUNS, "X-AOS-Key: " + MACHINE_KEY), 401, "INVALID_KEY", "machine");
  }

  @Test
  void aPublicRouteRunsItsHandlerWithoutAPrincipal() {
    Call call = get("/ctx/healthz");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.body()).isEqualTo("handler=health path=/healthz");
    assertThat(call.hits())
        .containsExactly(TestApp.anonymous("health", DispatcherType.REQUEST, "/healthz"));
    assertThat(call.laterFilterRuns()).isEqualTo(1);
    assertThat(reason(call)).isEqualTo(Reason.PUBLIC);
  }

  @Test
  void aPublicRouteDoesNotExamineCredentials() {
    Call call =
        get(
            "/ctx/healthz",
            "Authorization: Basic dXNlcjpwYXNz",
            "Authorization: Bearer " + JWT,
            "X-AOS-Key: " + MACHINE_KEY);
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits()).extracting(TestApp.Hit::handler).containsExactly("health");
  }

  @Test
  void unmappedAndDebugRoutesAnswerTheSamePlain404() {
    Call unmapped = get("/ctx/no/such/route");
    Call debug = get("/ctx/__debug/openapi_inspect", "Authorization: Bearer " + JWT);
    Call debugNoCredential = get("/ctx/__debug/openapi_nocache");
    for (Call call : List.of(unmapped, debug, debugNoCredential)) {
      assertRefusedWith(call, 404, PLAIN_404);
      assertThat(call.response().header("WWW-Authenticate")).isNull();
    }
    assertThat(withoutDate(unmapped))
        .isEqualTo(withoutDate(debug))
        .isEqualTo(withoutDate(debugNoCredential));
    assertThat(reason(unmapped)).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(reason(debug)).isEqualTo(Reason.DEBUG_DISABLED);
  }

  @Test
  void refusalsAreWrittenByTheFilterNotByErrorPages() {
    // The application maps 400, 401 and 404 to a public error page; refusals never go there.
    assertRefused(get(ACCOUNTS), 401, "MISSING_CREDENTIAL", "human");
    assertRefusedWith(get("/ctx/nothing-here"), 404, PLAIN_404);
    assertRefused(get("/ctx/api/v1/runs;x=1"), 400, "MALFORMED_REQUEST", null);
  }

  @Test
  void anUnavailableVerifierAnswers503WithRetryAfter() {
    Call machine = get("/down/m/x", "X-AOS-Key: " + MACHINE_KEY);
    assertRefusedWith(machine, 503, problem(503, "VERIFIER_UNAVAILABLE", "machine"));
    assertThat(machine.response().header("Retry-After")).isEqualTo("5");
    assertThat(machine.response().header("WWW-Authenticate")).isNull();
    Call human = get("/down/h/x", "Authorization: Bearer " + token());
    assertRefusedWith(human, 503, problem(503, "VERIFIER_UNAVAILABLE", "human"));
    assertThat(human.response().header("Retry-After")).isEqualTo("5");
  }

  @Test
  void aDefaultRealmIsApi() {
    assertThat(get("/down/m/x").response().header("WWW-Authenticate"))
        .isEqualTo("ApiKey realm=\"api\", header=\"X-AOS-Key\"");
  }

  @Test
  void theAuditEventCarriesTheConfiguredRequestIdAndTheDecidedPath() {
    Call call = get(RUNS + "/r-1", "X-Request-Id: req-42");
    AuditEvent event = onlyDecision(call);
    assertThat(event.requestId()).isEqualTo("req-42");
    assertThat(event.path()).isEqualTo("/api/v1/runs/r-1");
    assertThat(event.route()).isEqualTo("/api/v1/runs/**");
    assertThat(event.method()).isEqualTo("GET");
  }

  @Test
  void headRequestsAreRefusedWithHeadersOnly() {
    Call call = call("HEAD", RUNS);
    assertThat(call.status()).isEqualTo(401);
    assertThat(call.response().bodyBytes()).isEmpty();
    assertThat(call.response().header("WWW-Authenticate"))
        .isEqualTo("ApiKey realm=\"" + REALM + "\", header=\"X-AOS-Key\"");
    assertNoHandlerRan(call);
  }

  // ---------------------------------------------------------------- path tricks

  /** Targets that must be refused with 400, by the filter or by the container, on any plane. */
  static Stream<String> malformedTargets() {
    return Stream.of(
        "/ctx/healthz/..;/api/v1/runs/x",
        "/ctx/public/..;/api/v1/runs/x",
        "/ctx/public/%2e%2e/api/v1/runs",
        "/ctx/public/%2E%2E/api/v1/runs",
        "/ctx/public/%2e%2e;/api/v1/runs",
        "/ctx/public/.%2e/api/v1/runs",
        "/ctx/public/../api/v1/runs",
        "/ctx/public/./x",
        "/ctx/healthz%0a",
        "/ctx/healthz%0d",
        "/ctx/healthz%09",
        "/ctx/healthz%7f",
        "/ctx/healthz%00",
        "/ctx/api/v1/runs%0a",
        "/ctx//api/v1/runs",
        "/ctx///api/v1/runs",
        "/ctx/api//v1/runs",
        "//ctx/api/v1/runs",
        "///ctx/api/v1/runs",
        "//ctx/healthz",
        "/ctx/api/v1/runs;jsessionid=0123456789ABCDEF",
        "/ctx/healthz;jsessionid=0123456789ABCDEF",
        "/ctx/public;x=1/y",
        "/ctx/public%3b/y",
        "/ctx/public%3B/../api/v1/runs",
        "/ctx/public/%252e%252e/api/v1/runs",
        "/ctx/public/%25/x",
        "/ctx/public/x%E2%80%8B",
        "/ctx/public/x%E2%80%A8",
        "/ctx/public/x%E2%80%A9",
        "/ctx/public/x%EF%BB%BF",
        "/ctx/public/x%C2%85",
        "/ctx/public/%u002e%u002e/api/v1/runs",
        "/ctx/public/%2f..%2fapi/v1/runs",
        "/ctx/public%2F..%2Fapi/v1/runs",
        "/ctx/public%5C..%5Capi/v1/runs",
        "/ctx/public\\..\\api\\v1\\runs",
        "/ctx/public/x%zz",
        "/ctx/public/x%",
        "/ctx/public/x%C3",
        "/ctx/public/x%C0%AE",
        "/ctx;x=1/healthz",
        "/ctx%3B/healthz");
  }

  @ParameterizedTest
  @MethodSource("malformedTargets")
  void malformedTargetsAreRefused(String target) {
    Call call = get(target, "X-AOS-Key: " + MACHINE_KEY);
    assertThat(call.status()).as("%s -> %s", target, call.response()).isEqualTo(400);
    assertNoHandlerRan(call);
    assertThat(call.laterFilterRuns()).isZero();
    if (!call.audit().isEmpty()) {
      // The filter refused it (rather than the container): the body is the problem.
      assertRefused(call, 400, "MALFORMED_REQUEST", null);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "/ctx/healthz;jsessionid=0123456789ABCDEF, SEMICOLON",
    "/ctx/public;x=1/y, SEMICOLON",
    "/ctx/public%3b/y, ENCODED_SEMICOLON",
    "/ctx/public%3B/../api/v1/runs, DOT_SEGMENT",
    "/ctx/public/x%E2%80%8B, CONTROL_CHARACTER",
    "/ctx/public/x%E2%80%A8, CONTROL_CHARACTER",
    "/ctx/public/x%C2%85, CONTROL_CHARACTER",
  })
  void malformedTargetsBothContainersPassOnAreRefusedByTheFilter(String target, Detail detail) {
    Call call = get(target);
    assertRefused(call, 400, "MALFORMED_REQUEST", null);
    assertThat(onlyDecision(call).detail()).isEqualTo(detail);
  }

  @Test
  void aContextPathSpelledDifferentlyIsAPathMismatch() {
    // Both containers map /c%74x to the context /ctx; the raw URI does not start with /ctx/.
    for (String target : List.of("/c%74x/healthz", "/%63tx/api/v1/runs")) {
      Call call = get(target);
      assertRefused(call, 400, "MALFORMED_REQUEST", null);
      assertThat(onlyDecision(call).detail()).isEqualTo(Detail.PATH_MISMATCH);
    }
  }

  @Test
  void caseChangesAreOtherRoutes() {
    assertRefusedWith(get("/ctx/API/v1/runs"), 404, PLAIN_404);
    assertRefusedWith(get("/ctx/api/v1/Runs"), 404, PLAIN_404);
    assertRefusedWith(get("/ctx/HEALTHZ"), 404, PLAIN_404);
    Call otherContext = get("/CTX/healthz");
    assertThat(otherContext.status()).isEqualTo(404);
    assertNoHandlerRan(otherContext);
  }

  @Test
  void aTrailingSlashIsTheSameRoute() {
    assertRefused(get(RUNS + "/"), 401, "MISSING_CREDENTIAL", "machine");
    assertRefused(get(ACCOUNTS + "/"), 401, "MISSING_CREDENTIAL", "human");
    Call health = get("/ctx/healthz/");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.hits()).extracting(TestApp.Hit::containerPath).containsExactly("/healthz/");
  }

  @Test
  void encodedCharactersThatAreNotDelimitersAreDecodedOnce() {
    Call call = get("/ctx/public/my%20run%C3%A9");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits())
        .extracting(TestApp.Hit::containerPath)
        .containsExactly("/public/my run\u00e9");
  }

  @Test
  void rawNonAsciiBytesAreRefused() {
    byte[] request =
        "GET /ctx/public/caf\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    Call call = raw("GET", request);
    assertThat(call.status()).isEqualTo(400);
    assertNoHandlerRan(call);
  }

  @Test
  void absoluteFormTargetsAreDecidedOnTheirPath() {
    String origin = "http://127.0.0.1:" + server.port();
    assertRefused(get(origin + RUNS), 401, "MISSING_CREDENTIAL", "machine");
    // An authority other than Host: both containers refuse it themselves.
    Call otherHost = get("http://other.example" + ACCOUNTS);
    assertThat(otherHost.status()).isEqualTo(400);
    assertNoHandlerRan(otherHost);
    Call health = get(origin + "/ctx/healthz");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.hits()).extracting(TestApp.Hit::handler).containsExactly("health");
    Call dots = get(origin + "/ctx/healthz/..;/api/v1/runs");
    assertThat(dots.status()).isEqualTo(400);
    assertNoHandlerRan(dots);
  }

  // ---------------------------------------------------------------- header tricks

  @Test
  void theBearerSchemeIsCaseInsensitive() {
    for (String scheme : List.of("bearer", "BEARER", "bEaReR")) {
      Call call = get(ACCOUNTS, "Authorization: " + scheme + " " + token());
      assertThat(call.status()).as(scheme).isEqualTo(200);
      assertThat(call.hits()).extracting(TestApp.Hit::authType).containsExactly("Bearer");
    }
  }

  @Test
  void bearerWithoutATokenIsAnInvalidToken() {
    Call call = get(ACCOUNTS, "Authorization: Bearer");
    assertRefused(call, 401, "INVALID_TOKEN", "human");
    assertThat(onlyDecision(call).detail()).isEqualTo(Detail.MALFORMED);
    assertRefused(get(ACCOUNTS, "Authorization: Bearer "), 401, "INVALID_TOKEN", "human");
  }

  @Test
  void aTabInsteadOfASpaceIsAnotherScheme() {
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer\t" + token()), 401, "UNSUPPORTED_SCHEME", "human");
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer  " + token()), 401, "INVALID_TOKEN", "human");
  }

  @Test
  void twoBearerTokensInOneLineAreOneInvalidToken() {
    // One header line is one value; the comma is part of it. Nothing splits it into two tokens.
    Call call = get(ACCOUNTS, "Authorization: Bearer a, Bearer b");
    assertRefused(call, 401, "INVALID_TOKEN", "human");
    String good = token();
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + good + ", Bearer " + good),
        401,
        "INVALID_TOKEN",
        "human");
  }

  @Test
  void aNineKilobyteCredentialIsRefusedByItsVerifier() {
    String big = "a".repeat(9 * 1024);
    assertRefused(get(ACCOUNTS, "Authorization: Bearer " + big), 401, "INVALID_TOKEN", "human");
    assertRefused(get(RUNS, "X-AOS-Key: " + big), 401, "INVALID_KEY", "machine");
  }

  @Test
  void aHeaderSectionOverTheContainerLimitIsRefusedByTheContainer() {
    Call call = get(ACCOUNTS, "Authorization: Bearer " + "a".repeat(TestServer.MAX_HEADER_BYTES));
    assertThat(call.status()).isIn(400, 431);
    assertNoHandlerRan(call);
    assertThat(call.audit()).isEmpty();
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    assertRefused(get(RUNS, "x-aos-key: " + MACHINE_KEY), 401, "INVALID_KEY", "machine");
    assertRefused(
        get(RUNS, "x-aos-key: " + MACHINE_KEY, "X-AOS-KEY: " + MACHINE_KEY),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "machine");
  }

  @Test
  void malformedHeaderLinesAreRefusedByTheContainer() {
    for (String line :
        List.of("Authorization : Bearer " + JWT, "X-AOS-Key:" + MACHINE_KEY + "\u0000")) {
      Call call = get(RUNS, line);
      assertThat(call.status()).as(line).isEqualTo(400);
      assertNoHandlerRan(call);
      assertThat(call.audit()).isEmpty();
    }
  }

  @Test
  void aFoldedHeaderLineIsOneValue() {
    // RFC 9112 lets a server refuse obs-fold (Jetty) or read it as a space (Tomcat).
    Call call = get(ACCOUNTS, "Authorization: Bearer " + JWT + "\r\n Bearer " + JWT);
    assertThat(call.status()).isIn(400, 401);
    assertNoHandlerRan(call);
    if (call.status() == 401) {
      assertRefused(call, 401, "INVALID_TOKEN", "human");
    }
  }

  // ---------------------------------------------------------------- planes

  @Test
  void aMachineKeyOnAHumanRouteIsCrossPlane() {
    Call call = get(ACCOUNTS, "X-AOS-Key: " + MACHINE_KEY);
    assertRefused(call, 401, "CROSS_PLANE_CREDENTIAL", "human");
    assertThat(onlyDecision(call).violation()).isTrue();
  }

  @Test
  void aMachineKeyAsABearerTokenIsCrossPlane() {
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + MACHINE_KEY),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
    assertRefused(
        get(RUNS, "Authorization: Bearer " + MACHINE_KEY),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "machine");
  }

  @Test
  void aTokenOnAMachineRouteIsCrossPlane() {
    assertRefused(
        get(RUNS, "Authorization: Bearer " + JWT), 401, "CROSS_PLANE_CREDENTIAL", "machine");
    assertRefused(
        call(
            "POST",
            "/ctx/api/v1/telemetry/events",
            "Authorization: Bearer " + JWT,
            "Content-Length: 0"),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "machine");
  }

  @Test
  void aSandboxKeyIsForbiddenInProdAndCrossPlaneOnMachineRoutes() {
    assertRefused(
        get(ACCOUNTS, "X-AOS-Customer-Key: " + SANDBOX_KEY), 401, "SANDBOX_FORBIDDEN", "human");
    assertRefused(
        get(RUNS, "X-AOS-Customer-Key: " + SANDBOX_KEY), 401, "CROSS_PLANE_CREDENTIAL", "machine");
  }

  @Test
  void twoCarriersAreAmbiguousOnBothPlanes() {
    for (String target : List.of(ACCOUNTS, RUNS)) {
      String plane = target.equals(RUNS) ? "machine" : "human";
      assertRefused(
          get(target, "Authorization: Bearer " + JWT, "X-AOS-Key: " + MACHINE_KEY),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
      assertRefused(
          get(target, "X-AOS-Key: " + MACHINE_KEY, "X-AOS-Key: " + MACHINE_KEY),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
      assertRefused(
          get(target, "X-AOS-Customer-Key: " + SANDBOX_KEY, "Authorization: Bearer " + JWT),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
    }
  }

  @Test
  void credentialsInTheQueryAreRefused() {
    assertRefused(get(RUNS + "?api_key=" + MACHINE_KEY), 400, "CREDENTIAL_IN_QUERY", "machine");
    assertRefused(get(RUNS + "?X-AOS-Key=" + MACHINE_KEY), 400, "CREDENTIAL_IN_QUERY", "machine");
    assertRefused(get(ACCOUNTS + "?access_token=" + JWT), 400, "CREDENTIAL_IN_QUERY", "human");
    assertRefused(
        get(ACCOUNTS + "?access%5Ftoken=" + JWT, "Authorization: Bearer " + JWT),
        400,
        "CREDENTIAL_IN_QUERY",
        "human");
  }

  @Test
  void methodsOutsideARuleAreUnmapped() {
    assertRefusedWith(call("DELETE", RUNS, "X-AOS-Key: " + MACHINE_KEY), 404, PLAIN_404);
  }

  // ---------------------------------------------------------------- human plane, real tokens

  static TestApp.Hit humanHit(
      String handler, DispatcherType type, String path, List<String> roles) {
    return new TestApp.Hit(
        handler, type, path, "user-1", "Bearer", "HumanPrincipal", "user-1", roles);
  }

  @Test
  void aValidTokenReachesTheHandlerWithItsPrincipal() {
    Call call = get(ACCOUNTS, "Authorization: Bearer " + token("runs:write"));
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.body()).isEqualTo("handler=accounts path=/api/v1/accounts/me");
    assertThat(call.hits())
        .containsExactly(
            humanHit(
                "accounts",
                DispatcherType.REQUEST,
                "/api/v1/accounts/me",
                List.of("runs:write", "**")));
    AuditEvent event = onlyDecision(call);
    assertThat(event.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(event.principalId()).isEqualTo("user-1");
    assertThat(event.tenant()).isEqualTo("acme");
  }

  @Test
  void aHumanRouteThatNeedsAScopeAnswers403WithTheRfc6750Error() {
    assertRefused(
        get("/ctx/api/v1/admin/users", "Authorization: Bearer " + token("runs:write")),
        403,
        "INSUFFICIENT_SCOPE",
        "human");
    Call admin = get("/ctx/api/v1/admin/users", "Authorization: Bearer " + token("admin"));
    assertThat(admin.status()).isEqualTo(200);
    assertThat(admin.hits())
        .containsExactly(
            humanHit(
                "admin", DispatcherType.REQUEST, "/api/v1/admin/users", List.of("admin", "**")));
  }

  @Test
  void aTokenForAnotherTenantIsForbidden() {
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + token(), "X-AOS-Tenant: globex"),
        403,
        "TENANT_MISMATCH",
        "human");
  }

  @Test
  void anExpiredTokenOrOneForAnotherAudienceIsInvalid() {
    Call expired =
        get(
            ACCOUNTS,
            "Authorization: Bearer "
                + issuer
                    .token()
                    .issuedAt(java.time.Instant.now().minusSeconds(3600))
                    .expiresAt(java.time.Instant.now().minusSeconds(600))
                    .sign());
    assertRefused(expired, 401, "INVALID_TOKEN", "human");
    assertThat(onlyDecision(expired).detail()).isEqualTo(Detail.EXPIRED);
    Call audience =
        get(ACCOUNTS, "Authorization: Bearer " + issuer.token().audience("other-api").sign());
    assertRefused(audience, 401, "INVALID_TOKEN", "human");
    assertThat(onlyDecision(audience).detail()).isEqualTo(Detail.WRONG_AUDIENCE);
  }

  @Test
  void aValidTokenIsStillCrossPlaneOnAMachineRouteAndAmbiguousWithAKey() {
    String token = token("runs:write");
    assertRefused(
        get(RUNS, "Authorization: Bearer " + token), 401, "CROSS_PLANE_CREDENTIAL", "machine");
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + token, "X-AOS-Key: " + RUNNER.value()),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "human");
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + token, "Authorization: Bearer " + token),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "human");
    assertRefused(get(ACCOUNTS + "?access_token=" + token), 400, "CREDENTIAL_IN_QUERY", "human");
    assertRefusedWith(
        get("/ctx/__debug/openapi_inspect", "Authorization: Bearer " + token), 404, PLAIN_404);
  }

  @Test
  void theTokenNeverAppearsInTheResponseOrTheAuditEvent() {
    String token = token();
    for (String target : List.of(ACCOUNTS, RUNS, "/ctx/nope", "/ctx/api/v1/admin/x")) {
      Call call = get(target, "Authorization: Bearer " + token, "X-AOS-Tenant: globex");
      assertThat(call.response().toString())
          .doesNotContain(token)
          .doesNotContain(token.substring(0, 40));
      assertThat(call.audit().toString()).doesNotContain(token);
    }
  }

  @Test
  void anUnreachableJwksAnswers503() {
    Call call = get("/down/h/x", "Authorization: Bearer " + token());
    assertRefusedWith(call, 503, problem(503, "VERIFIER_UNAVAILABLE", "human"));
    assertThat(call.response().header("Retry-After")).isEqualTo("5");
    assertThat(onlyDecision(call).detail()).isEqualTo(Detail.JWKS_UNAVAILABLE);
  }

  @Test
  void aForwardAndAnErrorPageOnTheHumanPlaneRunWithAValidToken() {
    String token = token();
    Call forward = get("/ctx/public/forward/accounts", "Authorization: Bearer " + token);
    assertThat(forward.status()).isEqualTo(200);
    assertThat(forward.hits())
        .containsExactly(
            humanHit("accounts", DispatcherType.FORWARD, "/api/v1/accounts/me", List.of("**")));
    Call error = get("/ctx/public/fail/500", "Authorization: Bearer " + token);
    assertThat(error.status()).isEqualTo(500);
    assertThat(error.body()).isEqualTo("handler=accounts path=/api/v1/accounts/error");
    assertThat(error.hits())
        .containsExactly(
            humanHit("accounts", DispatcherType.ERROR, "/api/v1/accounts/error", List.of("**")));
  }

  // ---------------------------------------------------------------- machine plane, real keys

  static TestApp.Hit machineHit(
      String handler, DispatcherType type, String path, ApiKey key, List<String> roles) {
    return new TestApp.Hit(
        handler, type, path, key.id(), "ApiKey", "MachinePrincipal", key.id(), roles);
  }

  @Test
  void aValidMachineKeyReachesTheHandlerWithItsPrincipal() {
    Call call = get(RUNS + "/r-1", "X-AOS-Key: " + RUNNER.value());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.body()).isEqualTo("handler=runs path=/api/v1/runs/r-1");
    assertThat(call.hits())
        .containsExactly(
            machineHit(
                "runs",
                DispatcherType.REQUEST,
                "/api/v1/runs/r-1",
                RUNNER,
                List.of("runs:write", "**")));
    assertThat(call.laterFilterRuns()).isEqualTo(1);
    AuditEvent event = onlyDecision(call);
    assertThat(event.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(event.principalId()).isEqualTo(RUNNER.id());
    assertThat(event.tenant()).isEqualTo("acme");
  }

  @Test
  void scopesAnswerIsUserInRole() {
    Call call = get(RUNS, "X-AOS-Key: " + READER.value());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits())
        .containsExactly(
            machineHit("runs", DispatcherType.REQUEST, "/api/v1/runs", READER, List.of("**")));
  }

  @Test
  void aMissingScopeIsForbidden() {
    Call call = call("POST", RUNS, "X-AOS-Key: " + READER.value(), "Content-Length: 0");
    assertRefused(call, 403, "INSUFFICIENT_SCOPE", "machine");
    Call allowed = call("POST", RUNS, "X-AOS-Key: " + RUNNER.value(), "Content-Length: 0");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.hits()).extracting(TestApp.Hit::handler).containsExactly("runs");
  }

  @Test
  void anotherTenantIsForbidden() {
    assertRefused(
        get(RUNS, "X-AOS-Key: " + RUNNER.value(), "X-AOS-Tenant: globex"),
        403,
        "TENANT_MISMATCH",
        "machine");
    assertRefused(
        get(RUNS, "X-AOS-Key: " + RUNNER.value(), "X-AOS-Tenant: acme", "X-AOS-Tenant: acme"),
        403,
        "TENANT_MISMATCH",
        "machine");
    Call own = get(RUNS, "X-AOS-Key: " + RUNNER.value(), "X-AOS-Tenant: acme");
    assertThat(own.status()).isEqualTo(200);
  }

  @Test
  void revokedExpiredAndOtherModeKeysAreRefused() {
    assertRefused(get(RUNS, "X-AOS-Key: " + REVOKED.value()), 401, "REVOKED_KEY", "machine");
    assertRefused(get(RUNS, "X-AOS-Key: " + EXPIRED.value()), 401, "EXPIRED_KEY", "machine");
    assertRefused(
        get(RUNS, "X-AOS-Key: " + TEST_MODE_KEY.value()), 401, "KEY_MODE_MISMATCH", "machine");
  }

  @Test
  void aTamperedKeyIsInvalid() {
    String value = RUNNER.value();
    String tampered =
        value.substring(0, 30) + (value.charAt(30) == 'A' ? 'B' : 'A') + value.substring(31);
    Call call = get(RUNS, "X-AOS-Key: " + tampered);
    assertRefused(call, 401, "INVALID_KEY", "machine");
    assertThat(onlyDecision(call).detail()).isEqualTo(Detail.BAD_CHECKSUM);
    Call sandbox = get(RUNS, "X-AOS-Key: " + SANDBOX_KEY);
    assertRefused(sandbox, 401, "INVALID_KEY", "machine");
    assertThat(onlyDecision(sandbox).detail()).isEqualTo(Detail.WRONG_KIND);
  }

  @Test
  void aValidMachineKeyIsStillCrossPlaneOnAHumanRouteAndAmbiguousWithAToken() {
    assertRefused(
        get(ACCOUNTS, "X-AOS-Key: " + RUNNER.value()), 401, "CROSS_PLANE_CREDENTIAL", "human");
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + RUNNER.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
    assertRefused(
        get(RUNS, "Authorization: Bearer " + RUNNER.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "machine");
    assertRefused(
        get(RUNS, "X-AOS-Key: " + RUNNER.value(), "Authorization: Bearer " + JWT),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "machine");
    assertRefused(
        get(RUNS, "X-AOS-Key: " + RUNNER.value(), "X-AOS-Key: " + RUNNER.value()),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "machine");
    assertRefused(get(RUNS + "?api_key=" + RUNNER.value()), 400, "CREDENTIAL_IN_QUERY", "machine");
  }

  @Test
  void aValidKeyDoesNotOpenMalformedTargets() {
    for (String target :
        List.of(
            "/ctx/public/..;/api/v1/runs",
            "/ctx/api/v1/runs;x=1",
            "/ctx/public%3b/../api/v1/runs")) {
      Call call = get(target, "X-AOS-Key: " + RUNNER.value());
      assertThat(call.status()).as(target).isEqualTo(400);
      assertNoHandlerRan(call);
    }
  }

  @Test
  void theKeyNeverAppearsInTheResponseOrTheAuditEvent() {
    for (String target :
        List.of(RUNS, ACCOUNTS, "/ctx/nope", RUNS + "?api_key=" + RUNNER.value())) {
      Call call = get(target, "X-AOS-Key: " + RUNNER.value(), "X-AOS-Tenant: globex");
      assertThat(call.response().toString()).doesNotContain(RUNNER.value());
      assertThat(call.audit().toString()).doesNotContain(RUNNER.value());
    }
  }

  // ---------------------------------------------------------------- admission: rows 15a-15c

  static final String SUMMARIES = "/ctx/api/v1/summaries/s-1";

  @Test
  void aKeyOverItsOwnRateLimitGets429WithTheRateLimitFieldsUntilTheWindowRefills() {
    for (int i = 0; i < 3; i++) {
      Call ok = get(RUNS, "X-AOS-Key: " + LIMITED.value());
      assertThat(ok.status()).as("request %d", i + 1).isEqualTo(200);
      assertThat(ok.hits()).extracting(TestApp.Hit::handler).containsExactly("runs");
      assertThat(ok.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
      assertThat(ok.response().header("RateLimit"))
          .isEqualTo("\"key\";r=" + (2 - i) + ";t=" + 20 * (i + 1));
    }
    Call limited = get(RUNS, "X-AOS-Key: " + LIMITED.value());
    assertRefused(limited, 429, "RATE_LIMITED", "machine");
    assertThat(limited.response().header("Retry-After")).isEqualTo("20");
    assertThat(limited.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
    assertThat(limited.response().header("RateLimit")).isEqualTo("\"key\";r=0;t=20");
    AuditEvent event = onlyDecision(limited);
    assertThat(event.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(event.detail()).isEqualTo(Detail.KEY_LIMIT);
    assertThat(event.keyId()).isEqualTo(LIMITED.id());

    // Another key is not touched, and carries no rate-limit fields (it has no limit).
    Call other = get(RUNS, "X-AOS-Key: " + RUNNER.value());
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.response().header("RateLimit")).isNull();
    assertThat(other.response().header("RateLimit-Policy")).isNull();

    TestApp.ADMISSION_CLOCK.advance(java.time.Duration.ofSeconds(20));
    Call refilled = get(RUNS, "X-AOS-Key: " + LIMITED.value());
    assertThat(refilled.status()).isEqualTo(200);
    assertThat(refilled.hits()).extracting(TestApp.Hit::handler).containsExactly("runs");
  }

  @Test
  void aKeyWithNoUsesLeftIsRefusedBeforeItsHandlerRuns() {
    assertThat(get(RUNS, "X-AOS-Key: " + TWICE.value()).status()).isEqualTo(200);
    assertThat(get(RUNS, "X-AOS-Key: " + TWICE.value()).status()).isEqualTo(200);
    Call spent = get(RUNS, "X-AOS-Key: " + TWICE.value());
    assertRefused(spent, 429, "BUDGET_EXHAUSTED", "machine");
    // Uses that never come back: no Retry-After.
    assertThat(spent.response().header("Retry-After")).isNull();
    assertThat(onlyDecision(spent).detail()).isEqualTo(Detail.USES_SPENT);
  }

  @Test
  void aTenantOverItsBudgetIsRefusedBeforeItsHandlerRuns() {
    Call charged = get(RUNS, "X-AOS-Key: " + SPENDER.value(), "X-Test-Charge-Cents: 150");
    assertThat(charged.status()).isEqualTo(200);
    assertThat(onlyDecision(charged).attributes()).containsEntry("cost_cents", 150L);
    Call refused = get(RUNS, "X-AOS-Key: " + SPENDER.value());
    assertRefused(refused, 429, "BUDGET_EXHAUSTED", "machine");
    assertThat(Integer.parseInt(refused.response().header("Retry-After"))).isBetween(1, 14 * 3600);
    assertThat(onlyDecision(refused).detail()).isEqualTo(Detail.BUDGET_SPENT);
    // Another tenant is not touched.
    assertThat(get(RUNS, "X-AOS-Key: " + READER.value()).status()).isEqualTo(200);
  }

  @Test
  void aRuleWithPurposesNeedsOneOfThemInXAosPurpose() {
    assertRefused(
        get(SUMMARIES, "X-AOS-Key: " + READER.value()), 403, "PURPOSE_NOT_ALLOWED", "machine");
    assertRefused(
        get(SUMMARIES, "X-AOS-Key: " + READER.value(), "X-AOS-Purpose: marketing"),
        403,
        "PURPOSE_NOT_ALLOWED",
        "machine");
    assertRefused(
        get(SUMMARIES, "X-AOS-Key: " + READER.value(), "X-AOS-Purpose: summarize,translate"),
        403,
        "PURPOSE_NOT_ALLOWED",
        "machine");
    assertRefused(
        get(
            SUMMARIES,
            "X-AOS-Key: " + READER.value(),
            "X-AOS-Purpose: summarize",
            "X-AOS-Purpose: translate"),
        403,
        "PURPOSE_NOT_ALLOWED",
        "machine");
    Call allowed = get(SUMMARIES, "X-AOS-Key: " + READER.value(), "X-AOS-Purpose: summarize");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.hits()).extracting(TestApp.Hit::handler).containsExactly("summaries");
    assertThat(onlyDecision(allowed).attributes()).containsEntry("purpose", "summarize");
  }

  @Test
  void aStoreThatIsDownAnswers503() {
    Call call = get("/down/m/x", "X-AOS-Key: " + RUNNER.value());
    assertRefusedWith(call, 503, problem(503, "VERIFIER_UNAVAILABLE", "machine"));
    assertThat(call.response().header("Retry-After")).isEqualTo("5");
    assertThat(onlyDecision(call).detail()).isEqualTo(Detail.KEY_STORE_UNAVAILABLE);
  }

  @Test
  void aForwardKeepsThePrincipalWhenTheTargetAllowsIt() {
    Call call = get("/ctx/public/forward/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits())
        .containsExactly(
            machineHit(
                "runs",
                DispatcherType.FORWARD,
                "/api/v1/runs",
                RUNNER,
                List.of("runs:write", "**")));
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.AUTHENTICATED, Reason.PUBLIC); // recorded as each completes
  }

  @Test
  void aForwardFromAPublicServletToAHumanRouteWithAMachineKeyIsCrossPlane() {
    assertRefused(
        get("/ctx/public/forward/accounts", "X-AOS-Key: " + RUNNER.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
  }

  @Test
  void anIncludeAndAnAsyncDispatchToAMachineRouteRunWithAValidKey() {
    Call include = get("/ctx/public/include/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(include.status()).isEqualTo(200);
    assertThat(include.body()).isEqualTo("included:handler=runs path=/api/v1/runs");
    assertThat(include.hits())
        .containsExactly(
            machineHit(
                "runs",
                DispatcherType.INCLUDE,
                "/api/v1/runs",
                RUNNER,
                List.of("runs:write", "**")));
    Call async = get("/ctx/public/async/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(async.status()).isEqualTo(200);
    assertThat(async.hits())
        .containsExactly(
            machineHit(
                "runs", DispatcherType.ASYNC, "/api/v1/runs", RUNNER, List.of("runs:write", "**")));
  }

  @Test
  void anIncludeAndAnAsyncDispatchToAMachineRouteAreRefusedWithoutAKey() {
    assertRefusedWith(get("/ctx/public/include/runs"), 500, problem(500, null, null), true);
    assertRefused(get("/ctx/public/async/runs"), 401, "MISSING_CREDENTIAL", "machine");
  }

  @Test
  void aMachineErrorPageRunsForACallerWithAValidKeyOnly() {
    Call withKey = get("/ctx/public/fail/503", "X-AOS-Key: " + RUNNER.value());
    assertThat(withKey.status()).isEqualTo(503);
    assertThat(withKey.body()).isEqualTo("handler=telemetry path=/api/v1/telemetry/error");
    assertThat(withKey.hits())
        .containsExactly(
            machineHit(
                "telemetry",
                DispatcherType.ERROR,
                "/api/v1/telemetry/error",
                RUNNER,
                List.of("runs:write", "**")));
    Call without = get("/ctx/public/fail/503");
    assertRefusedWith(without, 503, problem(503, null, null));
    assertThat(without.response().header("Retry-After")).isNull();
    Call revoked = get("/ctx/public/fail/503", "X-AOS-Key: " + REVOKED.value());
    assertRefusedWith(revoked, 503, problem(503, null, null));
  }

  @Test
  void aSpecificationRowOnTheMachinePlaneRunsOnlyWithAValidKey() {
    Call without = get("/bar/x");
    assertRefusedWith(without, 401, problem(401, "MISSING_CREDENTIAL", "machine"));
    Call with = get("/bar/x", "X-AOS-Key: " + RUNNER.value());
    assertThat(with.status()).isEqualTo(200);
    assertThat(with.hits())
        .extracting(TestApp.Hit::handler, TestApp.Hit::containerPath)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("bar", "/bar/x"));
    Call dotted = get("/foo/../bar/x", "X-AOS-Key: " + RUNNER.value());
    assertThat(dotted.status()).isEqualTo(400);
    assertNoHandlerRan(dotted);
  }

  // ---------------------------------------------------------------- dispatches

  @Test
  void aForwardFromAPublicServletToAHumanRouteIsDecidedAgain() {
    Call call = get("/ctx/public/forward/accounts");
    assertRefused(call, 401, "MISSING_CREDENTIAL", "human");
    assertThat(call.laterFilterRuns()).as("the later filter ran for the request only").isEqualTo(1);
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.MISSING_CREDENTIAL, Reason.PUBLIC); // recorded as each completes
    assertThat(call.audit().get(0).path()).isEqualTo("/api/v1/accounts/me");
  }

  @Test
  void aForwardToAMachineRouteWithAHumanCredentialIsCrossPlane() {
    Call call = get("/ctx/public/forward/runs", "Authorization: Bearer " + JWT);
    assertRefused(call, 401, "CROSS_PLANE_CREDENTIAL", "machine");
  }

  @Test
  void aForwardToAPublicRouteIsAllowed() {
    Call call = get("/ctx/public/forward/health");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits())
        .containsExactly(TestApp.anonymous("health", DispatcherType.FORWARD, "/healthz"));
  }

  @Test
  void aRefusedIncludeFailsTheIncludingRequest() {
    Call call = get("/ctx/public/include/accounts");
    // The include throws; the container's 500 goes to the application's error page for 500,
    // which is itself on the human plane and refused: the filter answers a plain 500.
    // The including servlet took the writer; Tomcat keeps it for the error dispatch, so the
    // filter writes through it and Tomcat names the writer's charset in the Content-Type.
    assertRefusedWith(call, 500, problem(500, null, null), true);
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.MISSING_CREDENTIAL, Reason.PUBLIC, Reason.MISSING_CREDENTIAL);
  }

  @Test
  void anAllowedIncludeRunsTheIncludedHandler() {
    Call call = get("/ctx/public/include/health");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.body()).isEqualTo("included:handler=health path=/healthz");
    assertThat(call.hits())
        .containsExactly(TestApp.anonymous("health", DispatcherType.INCLUDE, "/healthz"));
  }

  @Test
  void anAsyncDispatchToAHumanRouteIsDecidedAgain() {
    Call call = get("/ctx/public/async/accounts");
    assertRefused(call, 401, "MISSING_CREDENTIAL", "human");
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.MISSING_CREDENTIAL, Reason.PUBLIC); // recorded as each completes
  }

  @Test
  void anAsyncDispatchToAPublicRouteIsAllowed() {
    Call call = get("/ctx/public/async/health");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.hits())
        .containsExactly(TestApp.anonymous("health", DispatcherType.ASYNC, "/healthz"));
  }

  @Test
  void anErrorPageOnAProtectedRouteDoesNotRunWithoutItsCredential() {
    Call call = get("/ctx/public/fail/500");
    assertRefusedWith(call, 500, problem(500, null, null));
    assertThat(call.response().header("WWW-Authenticate")).isNull();
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.PUBLIC, Reason.MISSING_CREDENTIAL);
    assertThat(call.audit().get(1).path()).isEqualTo("/api/v1/accounts/error");
  }

  @Test
  void anErrorPageWithACredentialOfTheWrongPlaneDoesNotRun() {
    Call call = get("/ctx/public/fail/500", "X-AOS-Key: " + MACHINE_KEY);
    assertRefusedWith(call, 500, problem(500, null, null));
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.PUBLIC, Reason.CROSS_PLANE_CREDENTIAL);
  }

  @Test
  void aPublicErrorPageRuns() {
    Call call = get("/ctx/public/fail/409");
    assertThat(call.status()).isEqualTo(409);
    assertThat(call.body()).isEqualTo("handler=errorpage path=/error-pages/public");
    assertThat(call.hits())
        .containsExactly(
            TestApp.anonymous("errorpage", DispatcherType.ERROR, "/error-pages/public"));
  }

  @Test
  void anUnmappedErrorPageKeepsTheOriginalStatus() {
    Call call = get("/ctx/public/fail/418");
    assertRefusedWith(call, 418, problem(418, null, null));
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.PUBLIC, Reason.UNMAPPED_ROUTE);
  }

  // ---------------------------------------------------------------- HEAD is decided as GET

  static final String REPORT = "/ctx/site/reports/1";

  @Test
  void aHeadIsDecidedByTheRuleOfItsGetNotByABroaderRule() {
    // "public /site/**" names HEAD and "human /site/reports/**" names only GET: the GET servlet
    // answers the HEAD, so the human rule decides it.
    Call call = call("HEAD", REPORT);
    assertRefusedHead(call, 401, "MISSING_CREDENTIAL", "human");
    assertThat(call.laterFilterRuns()).isZero();
    AuditEvent event = onlyDecision(call);
    assertThat(event.method()).isEqualTo("HEAD");
    assertThat(event.route()).isEqualTo("/site/reports/**");
    assertRefused(get(REPORT), 401, "MISSING_CREDENTIAL", "human");
    assertRefusedHead(
        call("HEAD", REPORT, "X-AOS-Key: " + RUNNER.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
  }

  @Test
  void aHeadWithAValidTokenRunsTheGetServlet() {
    Call call = call("HEAD", REPORT, "Authorization: Bearer " + token());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.response().bodyBytes()).isEmpty();
    assertThat(call.response().header("X-Handler")).isEqualTo("reports");
    assertThat(call.response().header("Content-Length"))
        .as("the length of the body doGet wrote")
        .isEqualTo(Integer.toString("handler=reports path=/site/reports/1".length()));
    assertThat(call.hits())
        .containsExactly(
            humanHit("reports", DispatcherType.REQUEST, "/site/reports/1", List.of("**")));
    assertThat(reason(call)).isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void aHeadOnThePublicPartRunsTheGetServletWithoutACredential() {
    Call call = call("HEAD", "/ctx/site/about");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.response().bodyBytes()).isEmpty();
    assertThat(call.response().header("X-Handler")).isEqualTo("site");
    assertThat(call.hits())
        .containsExactly(TestApp.anonymous("site", DispatcherType.REQUEST, "/site/about"));
    assertThat(onlyDecision(call).route()).isEqualTo("/site/**");
    assertThat(reason(call)).isEqualTo(Reason.PUBLIC);
  }

  // ---------------------------------------------------------------- the decision attribute

  /** The decision a servlet saw in {@link PlaneGuardFilter#DECISION_ATTRIBUTE}. */
  static Decision decision(TestApp.Seen seen) {
    assertThat(seen.decision())
        .as("decision attribute seen by %s", seen.servlet())
        .isInstanceOf(Decision.class);
    return (Decision) seen.decision();
  }

  @Test
  void anAllowedHandlerSeesTheDecisionOfItsDispatch() {
    Call health = get("/ctx/healthz");
    assertThat(health.seen()).extracting(TestApp.Seen::servlet).containsExactly("health");
    Decision open = decision(health.seen().get(0));
    assertThat(open.reason()).isEqualTo(Reason.PUBLIC);
    assertThat(open.rule().toPolicyLine()).isEqualTo("public /healthz");
    assertThat(open.principal()).isNull();

    Call runs = get(RUNS + "/r-1", "X-AOS-Key: " + RUNNER.value());
    assertThat(runs.seen()).extracting(TestApp.Seen::servlet).containsExactly("runs");
    Decision authenticated = decision(runs.seen().get(0));
    assertThat(authenticated.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(authenticated.rule().toPolicyLine())
        .isEqualTo("machine /api/v1/runs/** methods=GET,HEAD");
    assertThat(authenticated.principal().id()).isEqualTo(RUNNER.id());
  }

  @Test
  void aForwardedHandlerSeesTheDecisionOfTheForward() {
    Call call = get("/ctx/public/forward/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.seen())
        .extracting(TestApp.Seen::servlet, TestApp.Seen::type)
        .containsExactly(Tuple.tuple("runs", DispatcherType.FORWARD));
    Decision forwarded = decision(call.seen().get(0));
    assertThat(forwarded.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(forwarded.rule().pattern()).isEqualTo("/api/v1/runs/**");
  }

  @Test
  void afterAnIncludeTheIncludingServletSeesItsOwnDecisionAgain() {
    Call call = get("/ctx/public/include/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.seen())
        .extracting(TestApp.Seen::servlet, TestApp.Seen::type)
        .containsExactly(
            Tuple.tuple("includer", DispatcherType.REQUEST),
            Tuple.tuple("runs", DispatcherType.INCLUDE),
            Tuple.tuple("includer", DispatcherType.REQUEST));
    Decision including = decision(call.seen().get(0));
    assertThat(including.reason()).isEqualTo(Reason.PUBLIC);
    assertThat(including.rule().pattern()).isEqualTo("/public/**");
    Decision included = decision(call.seen().get(1));
    assertThat(included.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(included.rule().pattern()).isEqualTo("/api/v1/runs/**");
    assertThat(included.principal().id()).isEqualTo(RUNNER.id());
    assertThat(call.seen().get(2).decision()).isSameAs(including);
  }

  // ---------------------------------------------------------------- a framework behind the filter

  @Test
  void theRouterRunsEachHandlerUnderARuleThatCoversIt() {
    Call page = get("/ctx/app/docs/intro");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("handler=page path=/app/docs/intro");
    assertThat(page.hits())
        .containsExactly(TestApp.anonymous("page", DispatcherType.REQUEST, "/app/docs/intro"));
    assertThat(reason(page)).as("confirmed without a second decision").isEqualTo(Reason.PUBLIC);

    Call docs = get("/ctx/app/docs/123/index", "Authorization: Bearer " + token());
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.hits())
        .containsExactly(
            humanHit("docs", DispatcherType.REQUEST, "/app/docs/123/index", List.of("**")));
    assertThat(reason(docs)).isEqualTo(Reason.AUTHENTICATED);

    Call post = call("POST", "/ctx/app/feedback", "Content-Length: 0");
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.hits())
        .containsExactly(TestApp.anonymous("feedback", DispatcherType.REQUEST, "/app/feedback"));

    Call delete = call("DELETE", "/ctx/app/feedback", "Authorization: Bearer " + token());
    assertThat(delete.status()).isEqualTo(200);
    assertThat(delete.hits())
        .containsExactly(
            humanHit("withdraw", DispatcherType.REQUEST, "/app/feedback", List.of("**")));
    assertRefused(get("/ctx/app/docs/123/index"), 401, "MISSING_CREDENTIAL", "human");
  }

  @Test
  void aHandlerThePublicRuleDoesNotCoverAnswersAPlain404() {
    // "public /app/docs/*" decides GET /app/docs/123; the router's page takes letters only and
    // hands the request to "docs", which declares the human plane.
    Call call = get("/ctx/app/docs/123");
    assertRefusedWith(call, 404, PLAIN_404);
    assertThat(call.response().header("WWW-Authenticate")).isNull();
    assertThat(withoutDate(call)).isEqualTo(withoutDate(get("/ctx/no/such/route")));
    // The request's record is the refusal: the public allow it was admitted with is not recorded,
    // since no handler ran under it.
    assertThat(call.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.DISPATCH_MISMATCH);
    AuditEvent mismatch = call.audit().get(0);
    assertThat(mismatch.allowed()).isFalse();
    assertThat(mismatch.violation()).isTrue();
    assertThat(mismatch.route()).isEqualTo("/app/docs/*");
    assertThat(mismatch.method()).isEqualTo("GET");
    assertThat(mismatch.path()).isEqualTo("/app/docs/123");

    // A valid token changes nothing: the public rule admitted the request without a caller.
    Call withToken = get("/ctx/app/docs/123", "Authorization: Bearer " + token());
    assertRefusedWith(withToken, 404, PLAIN_404);
    assertThat(withToken.audit())
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.DISPATCH_MISMATCH);

    // The coverage computed at startup names the handler and the rule.
    assertThat(main.coverage.problems())
        .anySatisfy(
            p ->
                assertThat(p.subject() + " " + p.message())
                    .contains("(docs)")
                    .contains("public /app/docs/*"));
  }

  @Test
  void aMethodOverrideIsDecidedAgainOnTheMethodTheRouterServes() {
    // The public POST, served as the DELETE of the human "withdraw" handler.
    Call call = call("POST", "/ctx/app/feedback?_method=DELETE", "Content-Length: 0");
    assertRefused(call, 401, "MISSING_CREDENTIAL", "human");
    assertThat(call.laterFilterRuns()).as("the router runs behind the later filter").isEqualTo(1);
    // Decided again on DELETE: that decision is the request's record, not the POST it replaced.
    assertThat(call.audit())
        .extracting(AuditEvent::reason, AuditEvent::method)
        .containsExactly(Tuple.tuple(Reason.MISSING_CREDENTIAL, "DELETE"));
    assertRefused(
        call(
            "POST",
            "/ctx/app/feedback?_method=DELETE",
            "X-AOS-Key: " + RUNNER.value(),
            "Content-Length: 0"),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
  }

  @Test
  void anOverrideThatNeedsACallerThePostWasNotAdmittedWithAnswersAPlain404() {
    // The public POST was admitted without a caller; the DELETE would run as user-1.
    Call call =
        call(
            "POST",
            "/ctx/app/feedback?_method=DELETE",
            "Authorization: Bearer " + token(),
            "Content-Length: 0");
    assertRefusedWith(call, 404, PLAIN_404);
    assertThat(call.response().header("WWW-Authenticate")).isNull();
    assertThat(call.audit()).extracting(AuditEvent::reason).doesNotContain(Reason.PUBLIC);
    AuditEvent last = call.audit().get(call.audit().size() - 1);
    assertThat(last.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(last.method()).isEqualTo("DELETE");
    assertThat(last.violation()).isTrue();
  }

  // ---------------------------------------------------------------- registration

  @Test
  void aSecondRegistrationUnderTheSameNameIsRefused() {
    assertThat(main.secondRegistration).isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- helpers

  static String withoutDate(Call call) {
    List<String> lines = new ArrayList<>();
    for (String[] h : call.response().headers()) {
      if (!h[0].equalsIgnoreCase("Date")) {
        lines.add(h[0].toLowerCase(java.util.Locale.ROOT) + ": " + h[1]);
      }
    }
    return call.status() + "\n" + String.join("\n", lines) + "\n\n" + call.body();
  }

  // ---------------------------------------------------------------- the specification's table

  /** The 84 "Example URIs" of Jakarta Servlet 6.0 (see servlet6/NOTICE). */
  static Stream<Arguments> servletSpecificationExamples() throws IOException {
    try (InputStream in =
        PlaneGuardFilterContract.class.getResourceAsStream(
            "/servlet6/servlet6_uri_canonicalization_examples.tsv")) {
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
      assertThat(lines).hasSize(84);
      return lines.stream()
          .map(line -> line.split("\t", -1))
          .map(f -> Arguments.of(f[0], f[1], f[2]));
    }
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("servletSpecificationExamples")
  void theSpecificationsExampleUris(String encoded, String decoded, String expected) {
    // With a valid machine key, so that a target decided on one route but served on a machine
    // route would reach the machine handler: the plane invariant of every call rules that out.
    Call call = get(encoded, "X-AOS-Key: " + RUNNER.value());
    if (expected.startsWith("400")) {
      assertThat(call.status()).as("%s -> %s", encoded, call.response()).isEqualTo(400);
      assertNoHandlerRan(call);
      return;
    }
    assertThat(expected).isEqualTo("ACCEPT");
    boolean engineAccepts =
        spec.enforcer.decide(InboundRequest.of("GET", encoded, Map.of())).reason()
            != Reason.MALFORMED_REQUEST;
    if (call.status() == 400) {
      // Stricter than the specification, which is allowed, but only where planeguard's own
      // firewall refuses the target: both containers pass on everything it accepts.
      assertThat(engineAccepts)
          .as("%s was refused though the firewall accepts it", encoded)
          .isFalse();
      assertNoHandlerRan(call);
      return;
    }
    // Accepted: the handler that ran served the specification's decoded path.
    assertThat(call.status()).as("%s -> %s", encoded, call.response()).isEqualTo(200);
    assertThat(call.hits()).extracting(TestApp.Hit::containerPath).containsExactly(decoded);
  }
}
