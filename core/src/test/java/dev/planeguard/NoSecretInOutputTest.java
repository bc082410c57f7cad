package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.internal.Slf4jAuditSink;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.secrets.SecretTiers;
import dev.planeguard.secrets.Secrets;
import dev.planeguard.testing.FakeSecrets;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret used in a scenario appears in anything the scenario produced: log output (SLF4J Simple
 * on {@code System.err}, and every audit event formatted as the default sink would at any level),
 * exception messages and stack traces, and the {@code toString()} of every public type that held a
 * secret. Scenarios: secret resolution, tier scopes, the contract, and the engine deciding requests
 * that carry credentials in headers, query, path and request id.
 */
class NoSecretInOutputTest {

  @TempDir Path dir;

  @Test
  void secretResolutionNeverShowsAValue() throws Exception {
    String inFile = FakeSecrets.strong(40);
    String inEnv = FakeSecrets.strong(40);
    String configured = FakeSecrets.strong(40);
    String shortOne = FakeSecrets.strong(15);
    String placeholder = "change_me_in_production_" + FakeSecrets.strong(8);
    String yourPlaceholder = "<your-" + FakeSecrets.strong(12) + ">";
    Path readable = dir.resolve("readable");
    Files.writeString(readable, inFile + "\n", StandardCharsets.UTF_8);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
    }
    Map<String, String> env =
        Map.of(
            "HS_SECRET_FILE", readable.toString(),
            "HS_SECRET", inEnv,
            "JDBC_PASSWORD", shortOne,
            "PEPPER", placeholder,
            "API_TOKEN", yourPlaceholder);

    List<Object> held = new ArrayList<>();
    List<Throwable> thrown = new ArrayList<>();
    OutputCapture output =
        OutputCapture.during(
            () -> {
              for (Mode mode : Mode.values()) {
                Secrets secrets = Secrets.of(mode, env);
                secrets.require("HS_SECRET").ifPresent(held::add);
                secrets.require("JDBC_PASSWORD").ifPresent(held::add);
                secrets.require("PEPPER").ifPresent(held::add);
                secrets.require("API_TOKEN").ifPresent(held::add);
                held.add(secrets.find("DEFAULTED", configured).orElseThrow());
                held.add(secrets);
                held.addAll(secrets.violations());
                held.addAll(secrets.warnings());
                try {
                  secrets.check();
                } catch (ConfigurationException e) {
                  thrown.add(e);
                }
              }
            });

    assertThat(thrown).hasSize(2); // preprod and prod
    LeakCheck check =
        LeakCheck.create()
            .secret("secret file content", inFile)
            .secret("secret in env", inEnv)
            .secret("configured default", configured)
            .secret("short secret", shortOne)
            .secret("placeholder", placeholder)
            .secret("your-placeholder", yourPlaceholder)
            .output(output)
            .objects(held.toArray());
    thrown.forEach(t -> check.throwable("Secrets.check", t));
    check.assertClean();
  }

  @Test
  void tierChecksNeverShowAValue() throws Exception {
    String anthropic = FakeSecrets.anthropicKey();
    String openAi = FakeSecrets.openAiKey();
    String google = FakeSecrets.googleKey();
    String github = FakeSecrets.githubToken();
    String aws = FakeSecrets.awsAccessKeyId();
    String key = FakeSecrets.machineKey(Mode.PROD);
    String dbPassword = FakeSecrets.strong(30);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PLANEGUARD_TIER", "worker");
    env.put("ANTHROPIC_API_KEY", anthropic);
    env.put("NOTES", openAi);
    env.put("EXTRACT_WORKER_KEY", google);
    env.put("SYNC_HINT", github);
    env.put("AWS_ACCESS_KEY_ID", aws);
    env.put("CALLBACK", key);
    env.put("DATABASE_URL", "postgres://app:" + dbPassword + "@db/app");

    List<Object> held = new ArrayList<>();
    List<Throwable> thrown = new ArrayList<>();
    OutputCapture output =
        OutputCapture.during(
            () -> {
              for (String tier : SecretTiers.seed().tiers().keySet()) {
                held.addAll(SecretTiers.seed().check(tier, env));
              }
              for (Mode mode : Mode.values()) {
                Contract contract =
                    Contract.parse(
                        Map.of(
                            "AOS_MODE",
                            mode.id(),
                            "DB_AUTHORITY",
                            mode == Mode.LOCAL ? "local" : "neon"));
                try {
                  held.addAll(SecretTiers.checkStartup(contract, env));
                } catch (ConfigurationException e) {
                  thrown.add(e);
                }
              }
              try {
                SecretTiers.seed().check(anthropic, env);
              } catch (IllegalArgumentException e) {
                thrown.add(e);
              }
              try {
                SecretTiers.checkStartup(
                    Contract.parse(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local")),
                    Map.of("PLANEGUARD_TIER", openAi));
              } catch (ConfigurationException e) {
                thrown.add(e);
              }
            });

    assertThat(thrown).hasSize(4);
    assertThat(held).hasSizeGreaterThan(20);
    LeakCheck check =
        LeakCheck.create()
            .secret("anthropic", anthropic.substring(13))
            .secret("openai", openAi.substring(8))
            .secret("google", google.substring(4))
            .secret("github", github.substring(4))
            .wholeValue("aws", aws)
            .apiKey("planeguard key", key)
            .secret("db password", dbPassword)
            .output(output)
            .objects(held.toArray());
    thrown.forEach(t -> check.throwable("tier check", t));
    check.assertClean();
  }

  @Test
  void contractErrorsNeverEchoAPastedKey() throws Exception {
    String anthropic = FakeSecrets.anthropicKey();
    String key = FakeSecrets.machineKey(Mode.PROD);
    List<Throwable> thrown = new ArrayList<>();
    List<Object> held = new ArrayList<>();
    OutputCapture output =
        OutputCapture.during(
            () -> {
              try {
                Contract.parse(
                    Map.of(
                        "AOS_MODE", anthropic,
                        "DB_AUTHORITY", key,
                        "DB_ROLE", anthropic,
                        "DEV_AUTH_ENABLED", anthropic,
                        "TENANT_HEADER", key,
                        "PLANEGUARD_BYPASS_FLAGS", key + "," + anthropic));
              } catch (ConfigurationException e) {
                thrown.add(e);
                held.addAll(e.problems());
              }
              Contract local =
                  Contract.parse(
                      Map.of(
                          "AOS_MODE",
                          "local",
                          "DB_AUTHORITY",
                          "local",
                          "RBAC_FAIL_OPEN",
                          anthropic));
              held.add(local);
              held.addAll(local.warnings());
            });
    assertThat(thrown).hasSize(1);
    LeakCheck.create()
        .secret("anthropic", anthropic.substring(13))
        .apiKey("planeguard key", key)
        .output(output)
        .objects(held.toArray())
        .throwable("contract", thrown.get(0))
        .assertClean();
  }

  @Test
  void engineDecisionsLogsAndAuditEventsNeverShowACredential() throws Exception {
    ApiKey valid = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord record = KeyRecord.of(valid, "acme", Set.of("runs:write"), null);
    String wrongSecret = FakeSecrets.machineKey(Mode.PROD);
    String otherMode = FakeSecrets.machineKey(Mode.TEST);
    String jwt = fakeJwt();
    String anthropic = FakeSecrets.anthropicKey();
    String password = FakeSecrets.strong(24);
    String basic =
        Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));

    // A real hash comparison, as a key store does; it throws, naming the key, when asked to.
    KeyVerifier keys =
        (presented, kind, mode) -> {
          if (presented.endsWith("explode")) {
            throw new IllegalStateException("store failed for key " + presented);
          }
          if (ApiKey.defect(presented) != null) {
            return Verification.rejected(Reason.INVALID_KEY, Detail.MALFORMED);
          }
          ApiKey key = ApiKey.parse(presented);
          if (key.mode() != mode) {
            return Verification.rejected(Reason.KEY_MODE_MISMATCH, Detail.MALFORMED);
          }
          if (!key.id().equals(record.id()) || !ApiKey.hashesEqual(key.hash(), record.hash())) {
            return Verification.rejected(Reason.INVALID_KEY, Detail.MALFORMED);
          }
          return Verification.verified(
              new MachinePrincipal(record.id(), record.tenant(), record.scopes()));
        };
    TokenVerifier tokens =
        token -> {
          throw new IllegalArgumentException("cannot verify " + token);
        };
    List<AuditEvent> events = new ArrayList<>();
    AuditSink both =
        e -> {
          events.add(e);
          Slf4jAuditSink.INSTANCE.record(e);
        };
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(tokens)
            .machineKeyVerifier(keys)
            .auditSink(both)
            .build();

    String v = valid.value();
    List<InboundRequest> requests =
        List.of(
            request("GET", "/api/v1/runs/1", null, "X-AOS-Key", v),
            request("POST", "/api/v1/runs/1", null, "X-AOS-Key", v, "X-AOS-Tenant", anthropic),
            request("GET", "/api/v1/runs/1", null, "X-AOS-Key", wrongSecret),
            request("GET", "/api/v1/runs/1", null, "X-AOS-Key", otherMode),
            request("GET", "/api/v1/runs/1", null, "X-AOS-Key", v + "explode"),
            request("GET", "/api/v1/runs/1", null, "X-AOS-Key", v, "X-AOS-Key", v),
            request("GET", "/api/v1/accounts/me", null, "X-AOS-Key", v),
            request("GET", "/api/v1/accounts/me", null, "Authorization", "Bearer " + v),
            request("GET", "/api/v1/accounts/me", null, "Authorization", "Bearer " + jwt),
            request("GET", "/api/v1/accounts/me", null, "Authorization", "Basic " + basic),
            request("GET", "/api/v1/accounts/me", null, "X-AOS-Customer-Key", v),
            request("GET", "/api/v1/runs/1?api_key=" + v, null),
            request("GET", "/api/v1/accounts/me?access_token=" + jwt, null),
            request("GET", "/api/v1/runs/" + v, null, "X-AOS-Key", wrongSecret),
            request("GET", "/api/v1/runs/" + anthropic + "/x", null),
            request("GET", "/api/v1/runs/" + v + "%0a", null, "X-AOS-Key", v),
            request("GET", "/api/v1/runs/1", "req-" + v, "X-AOS-Key", wrongSecret),
            request("GET", "/api/v1/runs/1", anthropic, "X-AOS-Key", v),
            request("GET", "/healthz?token=" + jwt, null, "Authorization", "Bearer " + jwt),
            request("GET", "/nowhere/" + v, null, "X-AOS-Key", v));

    List<Object> held = new ArrayList<>(requests);
    OutputCapture output =
        OutputCapture.during(
            () -> {
              for (InboundRequest r : requests) {
                Decision d = enforcer.decide(r);
                held.add(d);
                if (d.principal() != null) {
                  held.add(d.principal());
                }
              }
            });

    assertThat(events).hasSize(requests.size());
    assertThat(events.get(0).allowed()).isTrue();
    assertThat(events.get(0).principalId()).isEqualTo(valid.id());
    assertThat(events)
        .extracting(AuditEvent::reason)
        .contains(
            Reason.AUTHENTICATED,
            Reason.INVALID_KEY,
            Reason.KEY_MODE_MISMATCH,
            Reason.VERIFIER_UNAVAILABLE,
            Reason.AMBIGUOUS_CREDENTIALS,
            Reason.CROSS_PLANE_CREDENTIAL,
            Reason.UNSUPPORTED_SCHEME,
            Reason.SANDBOX_FORBIDDEN,
            Reason.CREDENTIAL_IN_QUERY,
            Reason.MALFORMED_REQUEST,
            Reason.MISSING_CREDENTIAL,
            Reason.PUBLIC,
            Reason.UNMAPPED_ROUTE);
    assertThat(output.err())
        .contains("planeguard.audit")
        .contains("planeguard denied a request after an internal error");

    LeakCheck check =
        LeakCheck.create()
            .apiKey("valid machine key", v)
            .apiKey("wrong machine key", wrongSecret)
            .apiKey("test-mode key", otherMode)
            .jwt("jwt", jwt)
            .secret("anthropic", anthropic.substring(13))
            .secret("basic password", password)
            .wholeValue("basic credentials", basic)
            .output(output)
            .objects(held.toArray())
            .objects(events.toArray());
    for (AuditEvent e : events) {
      check.text("audit line " + e.reason(), Slf4jAuditSink.format(e));
    }
    check.assertClean();
  }

  @Test
  void apiKeysAndKeyRecordsNeverShowTheSecret() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord record = KeyRecord.of(key, "acme", Set.of("runs:write"), null);
    Throwable malformed = null;
    try {
      ApiKey.parse(key.value().substring(0, key.value().length() - 1) + "!");
    } catch (IllegalArgumentException e) {
      malformed = e;
    }
    assertThat(malformed).isNotNull();
    assertThatThrownBy(() -> ApiKey.parse(key.value().replace('_', '-')))
        .isInstanceOf(IllegalArgumentException.class);
    LeakCheck.create()
        .apiKey("key", key.value())
        .objects(key, record, record.toJsonLine())
        .throwable("parse", malformed)
        .assertClean();
  }

  /** A JWT-shaped token with a random signature; never verified, only carried. */
  private static String fakeJwt() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(
            "{\"sub\":\"user-1\",\"iss\":\"https://issuer\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + FakeSecrets.strong(86);
  }

  private static InboundRequest request(
      String method, String target, @Nullable String requestId, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.computeIfAbsent(headers[i], k -> new ArrayList<>()).add(headers[i + 1]);
    }
    InboundRequest simple = InboundRequest.of(method, target, map);
    if (requestId == null) {
      return simple;
    }
    return new InboundRequest() {
      @Override
      public String method() {
        return simple.method();
      }

      @Override
      public String path() {
        return simple.path();
      }

      @Override
      public @Nullable String query() {
        return simple.query();
      }

      @Override
      public List<String> headers(String name) {
        return simple.headers(name);
      }

      @Override
      public String requestId() {
        return requestId;
      }

      @Override
      public String toString() {
        return simple.toString();
      }
    };
  }
}
