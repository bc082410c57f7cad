package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Plane;
import dev.planeguard.keys.ApiKey;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parity kit against real servers: it passes on an application behind planeguard's engine, and
 * fails — naming the exact variant — on applications that read paths naively.
 */
class PathConfusionKitTest {

  static TestIssuer issuer;
  static TestKeys keys;
  static String token;
  static ApiKey machineKey;

  @BeforeAll
  static void credentials() {
    issuer = TestIssuer.start();
    keys = TestKeys.inTemporaryFile();
    token = issuer.token().subject("alice").sign();
    machineKey = keys.machineKey().tenant("acme").mint();
  }

  @AfterAll
  static void close() {
    issuer.close();
    keys.close();
  }

  static PathConfusionKit kit(URI base) {
    return DemoApp.routes(base).bearerToken(token).machineKey(machineKey.value()).build();
  }

  @Test
  void anApplicationBehindPlaneguardHoldsParity() {
    try (EnforcingApp app = new EnforcingApp(issuer, keys)) {
      PathConfusionKit.Report report = kit(app.baseUri()).run();

      assertThat(report.mismatches()).isEmpty();
      assertThat(report.passed()).isTrue();
      assertThat(report.probes()).isGreaterThan(500);
      report.assertNoMismatches();
    }
  }

  @Test
  void anApplicationThatResolvesDotDotSemicolonAfterDecidingFails() {
    try (NaiveApp app = new NaiveApp(NaiveApp.Flaw.RESOLVES_DOT_DOT_SEMICOLON, issuer, keys)) {
      assertThatThrownBy(kit(app.baseUri())::assertParity)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("requests broke path-confusion parity")
          .hasMessageContaining(
              "GET /assets/app.js/..;/..;/api/v1/accounts/me [no credential]: answered 200,"
                  + " expected 400 or 401 like GET /api/v1/accounts/me (..; after decoy"
                  + " /assets/app.js)")
          .hasMessageContaining(
              "GET /assets/app.js/..;/..;/api/v1/runs/42 [no credential]: answered 200,"
                  + " expected 400 or 401 like GET /api/v1/runs/42")
          .satisfies(e -> assertNoCredentialIn(e.getMessage()));
    }
  }

  @Test
  void anApplicationThatDecodesTwiceFails() {
    try (NaiveApp app = new NaiveApp(NaiveApp.Flaw.DECODES_TWICE, issuer, keys)) {
      assertThatThrownBy(kit(app.baseUri())::assertParity)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining(
              "GET /assets/app.js/%252e%252e/%252e%252e/api/v1/accounts/me [no credential]:"
                  + " answered 200, expected 400 or 401 like GET /api/v1/accounts/me"
                  + " (%252e%252e after decoy /assets/app.js)")
          .satisfies(e -> assertNoCredentialIn(e.getMessage()));
    }
  }

  @Test
  void anApplicationThatHonoursXOriginalUrlFails() {
    try (NaiveApp app = new NaiveApp(NaiveApp.Flaw.HONOURS_X_ORIGINAL_URL, issuer, keys)) {
      PathConfusionKit.Report report = kit(app.baseUri()).run();

      assertThat(report.passed()).isFalse();
      assertThat(report.mismatches())
          .contains(
              "GET /api/v1/accounts/me [no credential, X-Original-URL: /healthz]: answered 200,"
                  + " expected 400 or 401 like GET /api/v1/accounts/me (rewrite header)");
    }
  }

  @Test
  void anApplicationThatAcceptsCredentialsInTheQueryFails() {
    try (NaiveApp app = new NaiveApp(NaiveApp.Flaw.ACCEPTS_QUERY_CREDENTIALS, issuer, keys)) {
      PathConfusionKit.Report report = kit(app.baseUri()).run();

      assertThat(report.mismatches())
          .contains(
              "GET /api/v1/accounts/me?access_token=<human credential> [credential in the query]:"
                  + " answered 200, expected 400 or 401 like GET /api/v1/accounts/me"
                  + " (query credential)",
              "GET /api/v1/runs/42?api_key=<machine credential> [credential in the query]:"
                  + " answered 200, expected 400 or 401 like GET /api/v1/runs/42"
                  + " (query credential)");
      report.mismatches().forEach(PathConfusionKitTest::assertNoCredentialIn);
    }
  }

  @Test
  void theCorpusReachesTheWireByteForByte() throws Exception {
    try (CaptureServer server = new CaptureServer(head -> 200)) {
      PathConfusionKit.against(server.baseUri())
          .humanRoute("GET", "/api/v1/accounts/me")
          .publicRoute("GET", "/healthz")
          .bearerToken(token)
          .machineKey(machineKey.value())
          .build()
          .run();

      List<String> heads = server.heads();
      String host = "Host: 127.0.0.1:" + server.baseUri().getPort() + "\r\n";
      assertThat(heads).allSatisfy(h -> assertThat(h).contains(host).endsWith("\r\n\r\n"));
      assertThat(requestLines(heads))
          .contains(
              "GET /api/v1/accounts/me HTTP/1.1",
              "GET /healthz/..;/api/v1/accounts/me HTTP/1.1",
              "GET /healthz/%252e%252e/api/v1/accounts/me HTTP/1.1",
              "GET /healthz/%u002e%u002e/api/v1/accounts/me HTTP/1.1",
              "GET /healthz/..%2fapi/v1/accounts/me HTTP/1.1",
              "GET /api/v1/accounts/planeguard-probe/..;/me HTTP/1.1",
              "GET /api/v1/accounts/planeguard-probe/..\\me HTTP/1.1",
              "GET /api/v1/accounts%2fme HTTP/1.1",
              "GET //api/v1/accounts/me HTTP/1.1",
              "GET /api/v1/accounts//me HTTP/1.1",
              "GET /api/v1/accounts/me;jsessionid=planeguard HTTP/1.1",
              "GET /api/v1/accounts/me%0a HTTP/1.1",
              "GET /api/v1/accounts/me%0d HTTP/1.1",
              "GET /api/v1/accounts/me%09 HTTP/1.1",
              "GET /api/v1/accounts/me%7f HTTP/1.1",
              "GET /API/V1/ACCOUNTS/ME HTTP/1.1",
              "GET /api/v1/accounts/me/ HTTP/1.1",
              "GET " + server.baseUri() + "/api/v1/accounts/me HTTP/1.1");
      // Duplicate headers go out as two header lines, never merged.
      String credential = "Authorization: Bearer " + token + "\r\n";
      assertThat(heads).anySatisfy(h -> assertThat(h.split(credential, -1)).hasSize(3));
      assertThat(heads)
          .anySatisfy(
              h ->
                  assertThat(h)
                      .contains(credential)
                      .contains("X-AOS-Key: " + machineKey.value() + "\r\n"));
      assertThat(heads)
          .anySatisfy(h -> assertThat(h).contains("authorization: Bearer " + token + "\r\n"));
    }
  }

  @Test
  void aContextPathPrefixesEveryTarget() throws Exception {
    try (CaptureServer server = new CaptureServer(head -> 200)) {
      PathConfusionKit.against(URI.create(server.baseUri() + "/app/"))
          .publicRoute("GET", "/healthz")
          .build()
          .run();

      assertThat(requestLines(server.heads()))
          .contains("GET /app/healthz HTTP/1.1", "GET /app/healthz/ HTTP/1.1")
          .allSatisfy(
              line -> assertThat(line).matches("GET (/app/|http://127\\.0\\.0\\.1:\\d+/app/).*"));
    }
  }

  @Test
  void aRouteListedWithTheWrongPlaneFailsTheBaseline() {
    try (EnforcingApp app = new EnforcingApp(issuer, keys)) {
      PathConfusionKit.Report report =
          PathConfusionKit.against(app.baseUri())
              .machineRoute("GET", "/api/v1/accounts/me")
              .humanRoute("GET", "/healthz")
              .bearerToken(token)
              .machineKey(machineKey.value())
              .build()
              .run();

      assertThat(report.mismatches())
          .contains(
              "baseline GET /api/v1/accounts/me [human credential in Authorization]: answered 200;"
                  + " a machine route must answer 401 to a credential of another plane",
              "baseline GET /api/v1/accounts/me [machine credential in X-AOS-Key]: answered 401;"
                  + " a valid credential of the route's plane must be accepted; check the"
                  + " credential and route given to the kit",
              "baseline GET /healthz [no credential]: answered 200; a human route must answer 401"
                  + " without a credential; is the route protected, and listed with the right"
                  + " plane?");
      report.mismatches().forEach(PathConfusionKitTest::assertNoCredentialIn);
    }
  }

  @Test
  void aServerThatHangsUpIsAMismatch() throws Exception {
    try (CaptureServer server = new CaptureServer(head -> head.contains("..;") ? 0 : 401)) {
      PathConfusionKit.Report report =
          PathConfusionKit.against(server.baseUri())
              .humanRoute("GET", "/api/v1/accounts/me")
              .build()
              .run();

      assertThat(report.mismatches())
          .isNotEmpty()
          .allSatisfy(m -> assertThat(m).contains("..;").contains("no answer ("));
    }
  }

  @Test
  void variantsOfAnUnmappedRouteMustAnswer404Or400() throws Exception {
    try (CaptureServer server =
        new CaptureServer(head -> head.startsWith("GET /admin/ ") ? 200 : 404)) {
      PathConfusionKit.Report report =
          PathConfusionKit.against(server.baseUri()).unmappedRoute("GET", "/admin").build().run();

      assertThat(report.mismatches())
          .containsExactly(
              "GET /admin/ [no credential]: answered 200, expected 400 or 404 like GET /admin"
                  + " (trailing slash)");
    }
  }

  @Test
  void theBuilderRefusesWhatCannotBeSent() {
    URI base = URI.create("http://127.0.0.1:1");
    assertThatThrownBy(() -> PathConfusionKit.against(URI.create("ftp://x/")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(URI.create("http://x/?q")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(base).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("give at least one route");
    assertThatThrownBy(() -> PathConfusionKit.against(base).humanRoute("GET", "api"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(base).humanRoute("GET", "/a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(base).humanRoute("G ET", "/a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(base).route("GET", "/a", Plane.DATABASE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.against(base).bearerToken("a\r\nX-Evil: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("X-Evil");
  }

  @Test
  void toStringNeverShowsACredential() {
    PathConfusionKit kit = kit(URI.create("http://127.0.0.1:1"));
    assertThat(kit.toString())
        .contains("human credential in Authorization", "machine credential in X-AOS-Key");
    assertNoCredentialIn(kit.toString());
  }

  static void assertNoCredentialIn(String text) {
    assertThat(text)
        .doesNotContain(token)
        .doesNotContain(token.substring(token.lastIndexOf('.') + 1))
        .doesNotContain(machineKey.value())
        .doesNotContain(machineKey.value().split("_")[4]);
  }

  static List<String> requestLines(List<String> heads) {
    return heads.stream().map(h -> h.substring(0, h.indexOf("\r\n"))).toList();
  }
}
