package dev.planeguard.keys;

import static dev.planeguard.EnforcerTest.assertDecision;
import static dev.planeguard.EnforcerTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.AuditEvent;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.EnforcerTest;
import dev.planeguard.InboundRequest;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Problem;
import dev.planeguard.Reason;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.internal.Slf4jAuditSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The machine and sandbox planes through the engine, with real keys in a real key file verified by
 * {@link KeyVerifier#of}: every row of the decision table that involves a key, and the hostile keys
 * of the issue.
 */
class KeyPlanesTest {

  /** When the keys were issued. */
  static final Instant ISSUED = Instant.parse("2026-11-01T00:00:00Z");

  /** When the requests arrive. */
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  static final String LEGACY_SECRET = "AOS-legacy-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

  @TempDir static Path dir;
  static KeyFile file;
  static ApiKey runner;
  static ApiKey reader;
  static ApiKey otherTenant;
  static ApiKey testModeKey;
  static ApiKey revoked;
  static ApiKey expired;
  static ApiKey prodSandboxShaped;
  static ApiKey localSandbox;
  static ApiKey testSandbox;
  static ApiKey localMachine;

  final List<AuditEvent> audit = new ArrayList<>();

  @BeforeAll
  static void issueKeys() {
    file = KeyFile.openOrCreate(dir.resolve("keys.jsonl"));
    KeyLifecycle keys = KeyLifecycle.of(file, Clock.fixed(ISSUED, ZoneOffset.UTC));
    runner = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null).key();
    reader = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    otherTenant = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "globex", Set.of(), null).key();
    testModeKey = keys.create(ApiKey.Kind.MACHINE, Mode.TEST, "acme", Set.of(), null).key();
    revoked = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    keys.revoke(revoked.id());
    expired =
        keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW.minus(Duration.ofDays(1)))
            .key();
    // A sandbox key cannot be issued for prod; its shape can still be sent.
    prodSandboxShaped = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.PROD);
    localSandbox = keys.create(ApiKey.Kind.SANDBOX, Mode.LOCAL, "acme", Set.of(), null).key();
    testSandbox = keys.create(ApiKey.Kind.SANDBOX, Mode.TEST, "acme", Set.of(), null).key();
    localMachine = keys.create(ApiKey.Kind.MACHINE, Mode.LOCAL, "acme", Set.of(), null).key();
    keys.importLegacy(
        "aos-api-key",
        LEGACY_SECRET,
        ApiKey.Kind.MACHINE,
        Mode.PROD,
        "acme",
        Set.of("runs:write"),
        null);
  }

  Enforcer enforcer(String mode, Map<String, String> extraEnv, KeyStore store) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    env.putAll(extraEnv);
    Contract contract = Contract.parse(env);
    KeyVerifier keys = KeyVerifier.of(store, Clock.fixed(NOW, ZoneOffset.UTC));
    Enforcer.Builder b =
        Enforcer.builder()
            .contract(contract)
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(keys)
            .auditSink(audit::add)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC));
    if (contract.sandboxAllowed()) {
      b.sandboxKeyVerifier(keys);
    }
    return b.build();
  }

  Enforcer prod() {
    return enforcer("prod", Map.of(), file);
  }

  Decision prod(String method, String target, String... headers) {
    return prod().decide(request(method, target, headers));
  }

  @Test
  void row17AGenuineMachineKeyIsAllowedWithItsPrincipal() {
    Decision d = prod("GET", "/api/v1/runs/7", "X-AOS-Key: " + reader.value());
    assertDecision(d, 200, Reason.AUTHENTICATED, null);
    assertThat(d.principal()).isEqualTo(new MachinePrincipal(reader.id(), "acme", Set.of()));
    assertThat(d.plane()).isEqualTo(Plane.MACHINE);
    AuditEvent e = audit.get(0);
    assertThat(e.principalId()).isEqualTo(reader.id());
    assertThat(e.tenant()).isEqualTo("acme");
    assertThat(e.carriers()).containsExactly("X-AOS-Key");
    assertThat(Slf4jAuditSink.format(e))
        .doesNotContain(reader.value())
        .contains("principal=\"" + reader.id() + "\"");
  }

  @Test
  void row14AScopeTheRuleRequiresMustBeGranted() {
    assertDecision(
        prod("POST", "/api/v1/runs", "X-AOS-Key: " + reader.value()),
        403,
        Reason.INSUFFICIENT_SCOPE,
        null);
    assertDecision(
        prod("PUT", "/api/v1/runs/1", "X-AOS-Key: " + reader.value()),
        403,
        Reason.INSUFFICIENT_SCOPE,
        null);
    Decision ok = prod("POST", "/api/v1/runs", "X-AOS-Key: " + runner.value());
    assertDecision(ok, 200, Reason.AUTHENTICATED, null);
    assertThat(ok.principal().scopes()).containsExactly("runs:write");
  }

  @Test
  void row15TheTenantHeaderMustNameTheKeysTenant() {
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-AOS-Tenant: acme"),
        200,
        Reason.AUTHENTICATED,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-AOS-Tenant: globex"),
        403,
        Reason.TENANT_MISMATCH,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + otherTenant.value(), "X-AOS-Tenant: acme"),
        403,
        Reason.TENANT_MISMATCH,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-AOS-Tenant: ACME"),
        403,
        Reason.TENANT_MISMATCH,
        null);
    assertDecision(
        prod(
            "GET",
            "/api/v1/runs",
            "X-AOS-Key: " + reader.value(),
            "X-AOS-Tenant: acme",
            "X-AOS-Tenant: acme"),
        403,
        Reason.TENANT_MISMATCH,
        null);
    // Scopes are checked before the tenant (row 14 before row 15).
    assertDecision(
        prod("POST", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-AOS-Tenant: globex"),
        403,
        Reason.INSUFFICIENT_SCOPE,
        null);
    // TENANT_HEADER renames the header; the default name is then an ordinary header.
    Enforcer renamed = enforcer("prod", Map.of("TENANT_HEADER", "X-Org"), file);
    assertDecision(
        renamed.decide(
            request("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-Org: globex")),
        403,
        Reason.TENANT_MISMATCH,
        null);
    assertDecision(
        renamed.decide(
            request("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value(), "X-AOS-Tenant: globex")),
        200,
        Reason.AUTHENTICATED,
        null);
    // ENFORCE_TENANCY=false turns the check off where it is tolerated (local, test) ...
    Enforcer lax = enforcer("test", Map.of("ENFORCE_TENANCY", "false"), file);
    assertDecision(
        lax.decide(
            request(
                "GET",
                "/api/v1/runs",
                "X-AOS-Key: " + testModeKey.value(),
                "X-AOS-Tenant: globex")),
        200,
        Reason.AUTHENTICATED,
        null);
    Enforcer strict = enforcer("test", Map.of(), file);
    assertDecision(
        strict.decide(
            request(
                "GET",
                "/api/v1/runs",
                "X-AOS-Key: " + testModeKey.value(),
                "X-AOS-Tenant: globex")),
        403,
        Reason.TENANT_MISMATCH,
        null);
    // ... and is refused at startup in prod.
    assertThatThrownBy(() -> enforcer("prod", Map.of("ENFORCE_TENANCY", "false"), file))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::subject)
                    .containsExactly("ENFORCE_TENANCY"));
  }

  @Test
  void row13RevokedExpiredAndOtherModeKeys() {
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + revoked.value()),
        401,
        Reason.REVOKED_KEY,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + expired.value()),
        401,
        Reason.EXPIRED_KEY,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + testModeKey.value()),
        401,
        Reason.KEY_MODE_MISMATCH,
        null);
    Enforcer test = enforcer("test", Map.of(), file);
    assertDecision(
        test.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value())),
        401,
        Reason.KEY_MODE_MISMATCH,
        null);
    assertDecision(
        test.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + testModeKey.value())),
        200,
        Reason.AUTHENTICATED,
        null);
  }

  static List<Arguments> hostileKeys() {
    String good = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    String v = KeyPlanesTest.reader == null ? good : reader.value();
    char last = v.charAt(v.length() - 1);
    int secretStart = v.lastIndexOf('_') - 43;
    String body = v.substring(0, secretStart) + "B".repeat(43);
    return List.of(
        Arguments.of(
            "wrong checksum",
            v.substring(0, v.length() - 1) + (last == 'a' ? 'b' : 'a'),
            Detail.BAD_CHECKSUM),
        Arguments.of("truncated", v.substring(0, v.length() - 7), Detail.MALFORMED),
        Arguments.of("truncated to the id", v.substring(0, 28), Detail.MALFORMED),
        Arguments.of("overlong (1 MB)", v + "A".repeat(1 << 20), Detail.MALFORMED),
        Arguments.of("1 MB of junk", "A".repeat(1 << 20), Detail.MALFORMED),
        Arguments.of(
            "non-ASCII letter", v.substring(0, 30) + "\u00e4" + v.substring(31), Detail.MALFORMED),
        Arguments.of("Cyrillic look-alike", v.replace('a', '\u0430'), Detail.MALFORMED),
        Arguments.of("two keys with a comma", v + "," + v, Detail.MALFORMED),
        Arguments.of("two keys, comma and space", v + ", " + v, Detail.MALFORMED),
        Arguments.of("leading space", " " + v, Detail.MALFORMED),
        Arguments.of("trailing tab", v + "\t", Detail.MALFORMED),
        Arguments.of("inner space", v.substring(0, 20) + " " + v.substring(20), Detail.MALFORMED),
        Arguments.of("CRLF injection", v + "\r\nX-AOS-Tenant: acme", Detail.MALFORMED),
        Arguments.of(
            "right id, wrong secret", body + "_" + ApiKey.checksum(body), Detail.HASH_MISMATCH),
        Arguments.of("unknown id", good, Detail.UNKNOWN_ID),
        Arguments.of("ApiKey scheme in the value", "ApiKey " + v, Detail.MALFORMED),
        Arguments.of("short opaque value", "letmein", Detail.MALFORMED),
        Arguments.of(
            "unknown opaque value", "an-opaque-value-that-nobody-issued", Detail.UNKNOWN_ID));
  }

  @ParameterizedTest(name = "row 12: {0}")
  @MethodSource("hostileKeys")
  void row12HostileKeysAreInvalid(String name, String value, Detail detail) {
    // The value exactly as given: no trimming on the way (HTTP adapters trim surrounding
    // whitespace themselves; the verifier must refuse it if one does not).
    Decision d =
        prod()
            .decide(InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(value))));
    assertDecision(d, 401, Reason.INVALID_KEY, detail);
    assertThat(audit)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.principalId()).isNull();
              assertThat(Slf4jAuditSink.format(e)).doesNotContain(reader.value());
            });
  }

  @Test
  void row12KeysOfTheWrongKindInTheirHeader() {
    // A sandbox key in the machine header.
    assertDecision(
        enforcer("local", Map.of(), file)
            .decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + localSandbox.value())),
        401,
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + prodSandboxShaped.value()),
        401,
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    // A machine key in the sandbox header, where sandbox keys are allowed.
    assertDecision(
        enforcer("local", Map.of(), file)
            .decide(
                request(
                    "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + localMachine.value())),
        401,
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
  }

  @Test
  void rows5To8CarriersAreJudgedBeforeAnyKey() {
    String key = reader.value();
    assertDecision(
        prod("GET", "/api/v1/runs?api_key=" + key, "X-AOS-Key: " + key),
        400,
        Reason.CREDENTIAL_IN_QUERY,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs?api_key=" + key), 400, Reason.CREDENTIAL_IN_QUERY, null);
    assertDecision(
        prod("GET", "/api/v1/runs?X-AOS-Key=" + key), 400, Reason.CREDENTIAL_IN_QUERY, null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + key, "X-AOS-Key: " + key),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + key, "x-aos-key: " + runner.value()),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + key, "Authorization: Bearer " + key),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertDecision(prod("GET", "/api/v1/runs"), 401, Reason.MISSING_CREDENTIAL, null);
    assertDecision(
        prod("GET", "/api/v1/runs", "Authorization: Bearer " + key),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        prod("GET", "/api/v1/accounts/me", "Authorization: Bearer " + key),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        prod("GET", "/api/v1/accounts/me", "X-AOS-Key: " + key),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        prod("GET", "/api/v1/accounts/me", "X-AOS-Key: " + LEGACY_SECRET),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        enforcer("local", Map.of(), file)
            .decide(request("GET", "/api/v1/runs", "X-AOS-Customer-Key: " + localSandbox.value())),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertThat(audit).allSatisfy(e -> assertThat(e.principalId()).isNull());
  }

  @Test
  void row9SandboxKeysOnlyInLocalAndInTestWhenEnabled() {
    for (String mode : List.of("preprod", "prod")) {
      Decision d =
          enforcer(mode, Map.of(), file)
              .decide(
                  request(
                      "GET",
                      "/api/v1/accounts/me",
                      "X-AOS-Customer-Key: " + prodSandboxShaped.value()));
      assertDecision(d, 401, Reason.SANDBOX_FORBIDDEN, null);
      assertThat(d.violation()).as(mode).isTrue();
    }
    Decision testDisabled =
        enforcer("test", Map.of(), file)
            .decide(
                request(
                    "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + testSandbox.value()));
    assertDecision(testDisabled, 401, Reason.SANDBOX_FORBIDDEN, null);
    assertThat(testDisabled.violation()).isFalse();

    Decision testEnabled =
        enforcer("test", Map.of("CUSTOMER_SANDBOX_ENABLED", "true"), file)
            .decide(
                request(
                    "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + testSandbox.value()));
    assertDecision(testEnabled, 200, Reason.AUTHENTICATED, null);
    assertThat(testEnabled.principal())
        .isEqualTo(new SandboxPrincipal(testSandbox.id(), "acme", Set.of()));
    assertThat(testEnabled.plane()).isEqualTo(Plane.HUMAN);

    Decision local =
        enforcer("local", Map.of(), file)
            .decide(
                request(
                    "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + localSandbox.value()));
    assertDecision(local, 200, Reason.AUTHENTICATED, null);
    assertThat(((SandboxPrincipal) local.principal()).sandbox()).isTrue();
    // A sandbox key issued for local does not work in test, and the reverse.
    assertDecision(
        enforcer("test", Map.of("CUSTOMER_SANDBOX_ENABLED", "true"), file)
            .decide(
                request(
                    "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + localSandbox.value())),
        401,
        Reason.KEY_MODE_MISMATCH,
        null);
    Enforcer localDisabled = enforcer("local", Map.of("CUSTOMER_SANDBOX_ENABLED", "false"), file);
    assertDecision(
        localDisabled.decide(
            request("GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + localSandbox.value())),
        401,
        Reason.SANDBOX_FORBIDDEN,
        null);
  }

  @Test
  void legacySecretsWorkLikeKeysDuringMigration() {
    Decision d = prod("POST", "/api/v1/runs", "X-AOS-Key: " + LEGACY_SECRET);
    assertDecision(d, 200, Reason.AUTHENTICATED, null);
    assertThat(d.principal())
        .isEqualTo(new MachinePrincipal("aos-api-key", "acme", Set.of("runs:write")));
    assertDecision(
        prod("GET", "/api/v1/runs", "X-AOS-Key: " + LEGACY_SECRET, "X-AOS-Tenant: globex"),
        403,
        Reason.TENANT_MISMATCH,
        null);
    assertDecision(
        enforcer("test", Map.of(), file)
            .decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + LEGACY_SECRET)),
        401,
        Reason.KEY_MODE_MISMATCH,
        null);
    assertDecision(
        prod("GET", "/api/v1/runs", "Authorization: Bearer " + LEGACY_SECRET),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
  }

  @Test
  void row16AStoreThatCannotAnswerIs503WithRetryAfter() {
    KeyStore down =
        new KeyStore() {
          @Override
          public KeyRecord findById(String id) {
            throw new IllegalStateException("database is down");
          }

          @Override
          public KeyRecord findByHash(String hash) {
            throw new IllegalStateException("database is down");
          }
        };
    Enforcer e = enforcer("prod", Map.of(), down);
    Decision d = e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value()));
    assertDecision(d, 503, Reason.VERIFIER_UNAVAILABLE, Detail.KEY_STORE_UNAVAILABLE);
    assertThat(d.retryAfterSeconds()).isEqualTo(5);
    assertDecision(
        e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + LEGACY_SECRET)),
        503,
        Reason.VERIFIER_UNAVAILABLE,
        Detail.KEY_STORE_UNAVAILABLE);
    // What needs no store is still refused for what it is.
    assertDecision(
        e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + reader.value() + "x")),
        401,
        Reason.INVALID_KEY,
        Detail.MALFORMED);
  }

  @Test
  void aRevocationWrittenByAnotherWriterIsEnforcedOnceReloaded() {
    Path copy = dir.resolve("server-view.jsonl");
    KeyFile writer = KeyFile.openOrCreate(copy);
    KeyLifecycle keys = KeyLifecycle.of(writer, Clock.fixed(ISSUED, ZoneOffset.UTC));
    ApiKey key = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    KeyFile server = KeyFile.open(copy);
    Enforcer e = enforcer("prod", Map.of(), server);
    assertThat(e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + key.value())).reason())
        .isEqualTo(Reason.AUTHENTICATED);
    keys.revoke(key.id());
    assertThat(e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + key.value())).reason())
        .as("the server has not reloaded yet")
        .isEqualTo(Reason.AUTHENTICATED);
    assertThat(server.reload()).isTrue();
    assertThat(e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + key.value())).reason())
        .isEqualTo(Reason.REVOKED_KEY);
  }
}
