package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RefusalTest {

  static final Rule HUMAN = Rule.human("/api/v1/accounts/**");
  static final Rule MACHINE = Rule.machine("/api/v1/runs/**");
  static final Rule DEBUG = Rule.debug("/__debug/**", Plane.HUMAN);

  static Decision deny(Reason reason, Rule rule) {
    return new Decision(
        reason, null, rule, null, false, reason == Reason.VERIFIER_UNAVAILABLE ? 7 : 0);
  }

  static Refusal human(Reason reason) {
    return Refusal.of(deny(reason, HUMAN), "api", "X-AOS-Key");
  }

  static Refusal machine(Reason reason) {
    return Refusal.of(deny(reason, MACHINE), "api", "X-AOS-Key");
  }

  @Test
  void missingCredentialOnAHumanRoute() {
    Refusal r = human(Reason.MISSING_CREDENTIAL);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertThat(r.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"reason\":\"MISSING_CREDENTIAL\",\"plane\":\"human\"}");
    assertThat(r.wwwAuthenticate()).isEqualTo("Bearer realm=\"api\"");
    assertThat(r.retryAfterSeconds()).isZero();
  }

  @Test
  void invalidTokenNamesTheRfc6750Error() {
    assertThat(human(Reason.INVALID_TOKEN).wwwAuthenticate())
        .isEqualTo("Bearer realm=\"api\", error=\"invalid_token\"");
  }

  @Test
  void insufficientScopeOnAHumanRouteNamesTheRfc6750Error() {
    Refusal r = human(Reason.INSUFFICIENT_SCOPE);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.wwwAuthenticate()).isEqualTo("Bearer realm=\"api\", error=\"insufficient_scope\"");
    assertThat(machine(Reason.INSUFFICIENT_SCOPE).wwwAuthenticate()).isNull();
  }

  @ParameterizedTest
  @EnumSource(
      value = Reason.class,
      names = {
        "MISSING_CREDENTIAL", "CROSS_PLANE_CREDENTIAL", "SANDBOX_FORBIDDEN", "UNSUPPORTED_SCHEME",
        "INVALID_KEY", "REVOKED_KEY", "EXPIRED_KEY", "KEY_MODE_MISMATCH"
      })
  void every401ChallengesForThePlaneOfTheRoute(Reason reason) {
    assertThat(human(reason).wwwAuthenticate()).isEqualTo("Bearer realm=\"api\"");
    assertThat(machine(reason).wwwAuthenticate())
        .isEqualTo("ApiKey realm=\"api\", header=\"X-AOS-Key\"");
    assertThat(machine(reason).body()).endsWith(",\"plane\":\"machine\"}");
  }

  @Test
  void theApiKeyChallengeNamesARenamedHeader() {
    assertThat(
            Refusal.of(deny(Reason.INVALID_KEY, MACHINE), "acme", "X-Acme-Key").wwwAuthenticate())
        .isEqualTo("ApiKey realm=\"acme\", header=\"X-Acme-Key\"");
  }

  @ParameterizedTest
  @EnumSource(
      value = Reason.class,
      names = {"MALFORMED_REQUEST", "CREDENTIAL_IN_QUERY", "AMBIGUOUS_CREDENTIALS"})
  void badRequestsCarryNoChallenge(Reason reason) {
    assertThat(human(reason).status()).isEqualTo(400);
    assertThat(human(reason).wwwAuthenticate()).isNull();
    assertThat(machine(reason).wwwAuthenticate()).isNull();
  }

  @Test
  void aMalformedRequestHasNoPlane() {
    Refusal r =
        Refusal.of(
            new Decision(Reason.MALFORMED_REQUEST, Detail.DOT_SEGMENT, null, null, false, 0),
            "api",
            "X-AOS-Key");
    assertThat(r.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
                + "\"reason\":\"MALFORMED_REQUEST\"}");
  }

  @Test
  void verifierUnavailableCarriesRetryAfter() {
    Refusal r = machine(Reason.VERIFIER_UNAVAILABLE);
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.retryAfterSeconds()).isEqualTo(7);
    assertThat(r.wwwAuthenticate()).isNull();
    assertThat(r.body()).contains("\"title\":\"Service Unavailable\"");
  }

  @Test
  void bothNotFoundReasonsArePlainNotFound() {
    Refusal unmapped =
        Refusal.of(new Decision(Reason.UNMAPPED_ROUTE, null, null, null, false, 0), "api", "X-K");
    Refusal debug = Refusal.of(deny(Reason.DEBUG_DISABLED, DEBUG), "api", "X-K");
    Refusal plain = Refusal.plain(404);
    for (Refusal r : new Refusal[] {unmapped, debug}) {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).isEqualTo(plain.body());
      assertThat(r.wwwAuthenticate()).isNull();
      assertThat(r.reason()).isNull();
      assertThat(r.retryAfterSeconds()).isZero();
    }
    assertThat(plain.body())
        .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}");
  }

  @Test
  void plainProblems() {
    assertThat(Refusal.plain(500).body())
        .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500}");
    assertThat(Refusal.plain(418).body()).isEqualTo("{\"type\":\"about:blank\",\"status\":418}");
    assertThat(Refusal.plain(401).wwwAuthenticate()).isNull();
    assertThat(Refusal.plain(401).reason()).isNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 200, 302, 399, 600, -1})
  void plainRefusesNonErrorStatuses(int status) {
    assertThatThrownBy(() -> Refusal.plain(status)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = Reason.class,
      names = {"PUBLIC", "AUTHENTICATED"})
  void anAllowIsNotRefused(Reason reason) {
    Principal p = new MachinePrincipal("k7xq2m4p9ra3w5tz", "acme", Set.of());
    Decision allow =
        new Decision(reason, null, MACHINE, reason == Reason.AUTHENTICATED ? p : null, false, 0);
    assertThatThrownBy(() -> Refusal.of(allow, "api", "X-AOS-Key"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\"b", "a\\b", "line\r\nSet-Cookie: x=y", "caf\u00e9", "tab\t"})
  void aRealmThatCannotBeQuotedSafelyIsRefused(String realm) {
    assertThatThrownBy(() -> Refusal.of(deny(Reason.MISSING_CREDENTIAL, HUMAN), realm, "X-AOS-Key"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "X AOS", "X-Key\r\nSet-Cookie: a=b", "X-K\"ey", "X:Key"})
  void aHeaderNameThatIsNotATokenIsRefused(String header) {
    assertThatThrownBy(() -> Refusal.of(deny(Reason.INVALID_KEY, MACHINE), "api", header))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @EnumSource(Reason.class)
  void everyRefusalIsSmallAsciiJsonWithItsStatus(Reason reason) throws IOException {
    if (reason.allows()) {
      return;
    }
    for (Rule rule : new Rule[] {HUMAN, MACHINE}) {
      Refusal r = Refusal.of(deny(reason, rule), "api", "X-AOS-Key");
      assertThat(r.status()).isEqualTo(reason.status());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      r.writeBody(out);
      assertThat(out.size()).isEqualTo(r.contentLength());
      String body = out.toString(StandardCharsets.US_ASCII);
      assertThat(body).isEqualTo(r.body()).startsWith("{\"type\":\"about:blank\",").endsWith("}");
      assertThat(body).contains("\"status\":" + reason.status());
      assertThat(body.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
      if (reason.status() != 404) {
        assertThat(body).contains("\"reason\":\"" + reason.name() + "\"");
        assertThat(body).contains("\"plane\":\"" + rule.plane().id() + "\"");
      }
      assertThat(r.toString()).startsWith("Refusal{" + reason.status());
    }
  }

  static List<String> headers(Refusal refusal) {
    List<String> lines = new ArrayList<>();
    refusal.forEachHeader((name, value) -> lines.add(name + ": " + value));
    return lines;
  }

  static Decision limited(Decision decision) {
    Admission.Quota quota = new Admission.Quota();
    quota.add("key", RateLimit.parse("3/1m"), 0, 20);
    decision.quota = quota;
    return decision;
  }

  @Test
  void aChallengeIsWrittenAfterTheFixedHeaders() {
    assertThat(headers(human(Reason.INVALID_TOKEN)))
        .containsExactly(
            "Content-Type: application/problem+json",
            "Content-Length: 99",
            "Cache-Control: no-store",
            "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"");
    assertThat(human(Reason.INVALID_TOKEN).contentLength()).isEqualTo(99);
  }

  @Test
  void aBadRequestHasOnlyTheFixedHeaders() {
    Refusal r = Refusal.of(deny(Reason.MALFORMED_REQUEST, HUMAN), "api", "X-AOS-Key");
    assertThat(headers(r))
        .containsExactly(
            "Content-Type: application/problem+json",
            "Content-Length: " + r.contentLength(),
            "Cache-Control: no-store");
  }

  @Test
  void anUnavailableVerifierAddsRetryAfter() {
    assertThat(headers(machine(Reason.VERIFIER_UNAVAILABLE)))
        .containsExactly(
            "Content-Type: application/problem+json",
            "Content-Length: " + machine(Reason.VERIFIER_UNAVAILABLE).contentLength(),
            "Cache-Control: no-store",
            "Retry-After: 7");
  }

  @Test
  void aSpentLimitAddsRetryAfterAndTheRateLimitFieldsLast() {
    Decision decision =
        limited(new Decision(Reason.RATE_LIMITED, Detail.KEY_LIMIT, MACHINE, null, false, 20));
    Refusal r = Refusal.of(decision, "api", "X-AOS-Key");
    assertThat(headers(r))
        .containsExactly(
            "Content-Type: application/problem+json",
            "Content-Length: " + r.contentLength(),
            "Cache-Control: no-store",
            "Retry-After: 20",
            "RateLimit-Policy: \"key\";q=3;w=60",
            "RateLimit: \"key\";r=0;t=20");
  }

  @Test
  void bothNotFoundsHaveTheHeadersOfAPlainNotFound() {
    List<String> plain = headers(Refusal.plain(404));
    assertThat(plain)
        .containsExactly(
            "Content-Type: application/problem+json",
            "Content-Length: " + Refusal.plain(404).contentLength(),
            "Cache-Control: no-store");
    assertThat(headers(Refusal.of(deny(Reason.UNMAPPED_ROUTE, HUMAN), "api", "X-AOS-Key")))
        .isEqualTo(plain);
    assertThat(headers(Refusal.of(limited(deny(Reason.DEBUG_DISABLED, DEBUG)), "api", "X-AOS-Key")))
        .isEqualTo(plain);
  }

  @ParameterizedTest
  @EnumSource(Reason.class)
  void headerNamesListsEveryHeaderARefusalGivesInItsOrder(Reason reason) {
    if (reason.allows()) {
      return;
    }
    for (Rule rule : new Rule[] {HUMAN, MACHINE}) {
      List<String> names = new ArrayList<>();
      Refusal.of(limited(deny(reason, rule)), "api", "X-AOS-Key")
          .forEachHeader((name, value) -> names.add(name));
      assertThat(Refusal.headerNames()).containsSubsequence(names);
    }
    assertThat(Refusal.headerNames())
        .containsExactly(
            "Content-Type",
            "Content-Length",
            "Cache-Control",
            "WWW-Authenticate",
            "Retry-After",
            "RateLimit-Policy",
            "RateLimit");
  }

  @Test
  void anAllowGivesTheRateLimitFieldsOfItsLimits() {
    Decision allowed = limited(new Decision(Reason.PUBLIC, null, HUMAN, null, false, 0));
    List<String> lines = new ArrayList<>();
    allowed.forEachRateLimitHeader((name, value) -> lines.add(name + ": " + value));
    assertThat(lines)
        .containsExactly("RateLimit-Policy: \"key\";q=3;w=60", "RateLimit: \"key\";r=0;t=20");
  }

  @Test
  void anAllowWithoutLimitsGivesNoRateLimitFields() {
    Decision allowed = new Decision(Reason.PUBLIC, null, HUMAN, null, false, 0);
    List<String> lines = new ArrayList<>();
    allowed.forEachRateLimitHeader((name, value) -> lines.add(name + ": " + value));
    assertThat(lines).isEmpty();
  }
}
