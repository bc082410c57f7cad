package dev.planeguard.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.secrets.SecretTiers.Finding;
import dev.planeguard.secrets.SecretTiers.Finding.Kind;
import dev.planeguard.secrets.SecretTiers.Tier;
import dev.planeguard.testing.FakeSecrets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTiersTest {

  static final SecretTiers SEED = SecretTiers.seed();

  static List<Finding> check(String tier, String... nameValuePairs) {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      env.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return SEED.check(tier, env);
  }

  static Contract contract(String mode) {
    return Contract.parse(
        Map.of("AOS_MODE", mode, "DB_AUTHORITY", mode.equals("local") ? "local" : "neon"));
  }

  @Test
  void theSeedPresetHasTheSixTiersAndOnlyLlmHoldsProviderKeys() {
    assertThat(SEED.tiers().keySet())
        .containsExactly("data", "api", "worker", "agent", "media", "llm");
    assertThat(SEED.tiers().values().stream().filter(Tier::providerKeys).map(Tier::name))
        .containsExactly("llm");
  }

  @Test
  void theSixTierExampleFilesAreClean() {
    // env.tier-llm and env.tier-api as the six-tier layout writes them, with real-looking values.
    assertThat(
            check(
                "llm",
                "ANTHROPIC_API_KEY",
                FakeSecrets.anthropicKey(),
                "OPENAI_API_KEY",
                FakeSecrets.openAiKey(),
                "GEMINI_API_KEY",
                FakeSecrets.googleKey(),
                "VENICE_API_KEY",
                FakeSecrets.strong(40),
                "OLLAMA_BASE_URL",
                "http://ollama:11434"))
        .isEmpty();
    assertThat(
            check(
                "api",
                "SUPABASE_REST_URL",
                "http://postgrest:3010",
                "SUPABASE_ANON_KEY",
                "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
                "TENSORZERO_URL",
                "http://tensorzero:3000",
                "TENSORZERO_EMBEDDING_MODEL",
                "gemma_embed_local",
                "PRESIGN_SHARED_SECRET",
                FakeSecrets.strong(40),
                "DATABASE_URL",
                "postgres://app:" + FakeSecrets.strong(24) + "@db:5432/app"))
        .isEmpty();
    assertThat(
            check("data", "POSTGRES_PASSWORD", "x", "SUPABASE_DB_PASSWORD", "x", "PGPASSWORD", "x"))
        .isEmpty();
    assertThat(
            check(
                "worker", "EXTRACT_WORKER_TOKEN", "x", "TENSORZERO_URL", "http://tensorzero:3000"))
        .isEmpty();
  }

  @Test
  void aProviderKeyOutsideTheLlmTierIsReportedOnceWhateverItsValue() {
    for (String tier : List.of("data", "api", "worker", "agent", "media")) {
      List<Finding> findings = check(tier, "OPENAI_API_KEY", FakeSecrets.openAiKey());
      assertThat(findings)
          .as(tier)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.name()).isEqualTo("OPENAI_API_KEY");
                assertThat(f.kind()).isEqualTo(Kind.PROVIDER_KEY_OUTSIDE_TIER);
                assertThat(f.message())
                    .isEqualTo(
                        "is an external provider key; tier "
                            + tier
                            + " may not hold provider keys (only llm may)");
                assertThat(f.fix())
                    .contains("tier llm")
                    .contains("revoke it at the provider first");
              });
    }
    assertThat(check("worker", "ANTHROPIC_API_KEY", "sk-ant-xxxxx"))
        .extracting(Finding::kind)
        .containsExactly(Kind.PROVIDER_KEY_OUTSIDE_TIER);
    assertThat(check("worker", "gemini_api_key", ""))
        .extracting(Finding::kind)
        .containsExactly(Kind.PROVIDER_KEY_OUTSIDE_TIER);
  }

  @Test
  void aSecretOfAnotherTierNamesTheTiersItBelongsTo() {
    assertThat(check("worker", "POSTGRES_PASSWORD", "x"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.SECRET_OUTSIDE_TIER);
              assertThat(f.message())
                  .isEqualTo("is a secret tier worker may not hold (it belongs to data, api)");
              assertThat(f.fix()).isEqualTo("move it to the env file of data or api");
            });
    assertThat(check("llm", "MYSTERY_TOKEN", "x"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.SECRET_OUTSIDE_TIER);
              assertThat(f.message()).endsWith("(no tier declares it)");
            });
    assertThat(check("media", "AGENT_ZERO_TOKEN", "x"))
        .extracting(Finding::message)
        .containsExactly("is a secret tier media may not hold (it belongs to agent)");
  }

  @Test
  void aUrlWithAPasswordIsASecretWhateverItsName() {
    assertThat(check("worker", "DATABASE_URL", "postgres://app:pw@db:5432/app"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.SECRET_OUTSIDE_TIER);
              assertThat(f.message())
                  .startsWith("holds a URL with a password, a secret tier worker may not hold");
            });
    assertThat(check("worker", "CACHE", "redis://:pw@cache:6379")).hasSize(1);
    assertThat(check("worker", "DATABASE_URL", "postgres://app@db:5432/app")).isEmpty();
  }

  @Test
  void aProviderKeyUnderAnInnocentNameIsFoundByItsValue() {
    assertThat(check("worker", "LOG_FORMAT", FakeSecrets.anthropicKey()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.PROVIDER_KEY_VALUE);
              assertThat(f.message())
                  .isEqualTo(
                      "has a value shaped like an Anthropic API key; tier worker may not hold provider keys (only llm may)");
            });
    // Even in the llm tier, a provider key belongs under its provider's name.
    assertThat(check("llm", "TENSORZERO_MODEL", FakeSecrets.openAiKey()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.PROVIDER_KEY_VALUE);
              assertThat(f.message())
                  .isEqualTo(
                      "has a value shaped like an OpenAI-style API key under a name that is not a provider key name");
            });
    // A secret the tier may hold, with a provider key as its value.
    assertThat(check("api", "SUPABASE_ANON_KEY", FakeSecrets.googleKey()))
        .extracting(Finding::kind)
        .containsExactly(Kind.PROVIDER_KEY_VALUE);
    assertThat(check("media", "YOUTUBE_API_KEY", FakeSecrets.githubToken()))
        .extracting(Finding::message)
        .containsExactly(
            "has a value shaped like a GitHub token; tier media may not hold provider keys (only llm may)");
    assertThat(check("data", "MINIO_ROOT_USER", FakeSecrets.awsAccessKeyId()))
        .extracting(Finding::kind)
        .containsExactly(Kind.PROVIDER_KEY_VALUE);
    assertThat(check("llm", "AWS_ACCESS_KEY_ID", FakeSecrets.awsAccessKeyId())).isEmpty();
  }

  @Test
  void aSecretOutsideItsTierWithAProviderKeyValueGivesBothFindings() {
    assertThat(check("worker", "SUPABASE_ANON_KEY", FakeSecrets.anthropicKey()))
        .extracting(Finding::kind)
        .containsExactly(Kind.SECRET_OUTSIDE_TIER, Kind.PROVIDER_KEY_VALUE);
  }

  @Test
  void aPlaneguardKeyMustSitUnderASecretNameOfItsTier() {
    String key = FakeSecrets.machineKey(Mode.PROD);
    assertThat(check("worker", "CALLBACK_HINT", key))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.PLANEGUARD_KEY_VALUE);
              assertThat(f.message())
                  .isEqualTo(
                      "has a value shaped like a planeguard API key under a name that is not a secret name");
            });
    assertThat(check("worker", "EXTRACT_WORKER_KEY", key)).isEmpty();
    assertThat(check("media", "EXTRACT_WORKER_KEY", key))
        .extracting(Finding::kind)
        .containsExactly(Kind.SECRET_OUTSIDE_TIER);
  }

  @Test
  void findingsAreSortedByNameAndNeverHoldTheValue() {
    String anthropic = FakeSecrets.anthropicKey();
    String key = FakeSecrets.machineKey(Mode.PROD);
    List<Finding> findings =
        check(
            "worker",
            "ZED",
            anthropic,
            "ANTHROPIC_API_KEY",
            anthropic,
            "MIDDLE",
            key,
            "OK",
            "fine");
    assertThat(findings)
        .extracting(Finding::name)
        .containsExactly("ANTHROPIC_API_KEY", "MIDDLE", "ZED");
    for (Finding f : findings) {
      assertThat(f.toString() + f.toProblem() + f.message() + f.fix())
          .doesNotContain(anthropic)
          .doesNotContain(key.split("_")[4]);
    }
    assertThat(findings.get(0).toProblem())
        .isEqualTo(
            new Problem("ANTHROPIC_API_KEY", findings.get(0).message(), findings.get(0).fix()));
    assertThat(findings.get(0).toString()).endsWith("(PROVIDER_KEY_OUTSIDE_TIER)");
  }

  @ParameterizedTest
  @CsvSource({
    "OPENAI_API_KEY, true, true",
    "openai_api_key, true, true",
    "AZURE_OPENAI_API_KEY, true, true",
    "OPENAI_BASE_URL, false, false",
    "GITHUB_TOKEN, true, true",
    "AWS_SECRET_ACCESS_KEY, true, true",
    "AWS_REGION, false, false",
    "POSTGRES_PASSWORD, true, false",
    "PGPASSWORD, true, false",
    "DB_PASS, true, false",
    "SMTP_PWD, true, false",
    "GOOGLE_APPLICATION_CREDENTIALS, true, false",
    "KEY_PEPPER, true, false",
    "API_KEYS, true, false",
    "JWT_SECRET, true, false",
    "SECRET, true, false",
    "JWT_PUBLIC_KEY, false, false",
    "STRIPE_PUBLISHABLE_KEY, false, false",
    "POSTGRES_PASSWORD_FILE, false, false",
    "AWS_ACCESS_KEY_ID, false, false",
    "MAX_TOKENS, false, false",
    "PWD, false, false",
    "KEYBOARD_LAYOUT, false, false",
  })
  void whatCountsAsASecretNameAndAProviderKeyName(String name, boolean secret, boolean provider) {
    assertThat(SEED.isSecretName(name)).isEqualTo(secret);
    assertThat(SEED.isProviderKeyName(name)).isEqualTo(provider);
  }

  @Test
  void tiersAreNamedCaseInsensitivelyAndAnUnknownTierIsRefused() {
    assertThat(SEED.check(" LLM ", Map.of("OPENAI_API_KEY", "x"))).isEmpty();
    assertThatThrownBy(() -> SEED.check("gateway", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown tier \"gateway\"; the tiers are data, api, worker, agent, media, llm");
  }

  @Test
  void customScopesAreData() {
    SecretTiers scopes =
        SecretTiers.builder()
            .tier(Tier.of("Web", "WEB_*", "SESSION_SECRET"))
            .tier(Tier.withProviderKeys("gateway"))
            .secretNames(List.of("*_SECRET", "*_KEY"))
            .providerKeyNames(List.of("ACME_AI_*"))
            .build();
    assertThat(scopes.tiers().keySet()).containsExactly("web", "gateway");
    assertThat(
            scopes.check("web", Map.of("WEB_KEY", "x", "SESSION_SECRET", "x", "DB_PASSWORD", "x")))
        .isEmpty();
    assertThat(scopes.check("web", Map.of("OTHER_SECRET", "x")))
        .extracting(Finding::kind)
        .containsExactly(Kind.SECRET_OUTSIDE_TIER);
    assertThat(scopes.check("web", Map.of("ACME_AI_KEY", "x")))
        .extracting(Finding::message)
        .containsExactly(
            "is an external provider key; tier web may not hold provider keys (only gateway may)");
    // A provider-key tier holds every provider key name without listing it.
    assertThat(scopes.check("gateway", Map.of("ACME_AI_KEY", "x"))).isEmpty();
    assertThat(scopes.check("gateway", Map.of("OPENAI_API_KEY", "x")))
        .extracting(Finding::kind)
        .containsExactly(Kind.SECRET_OUTSIDE_TIER);

    SecretTiers withoutLlm = SEED.toBuilder().removeTier("LLM").build();
    assertThat(withoutLlm.tiers()).doesNotContainKey("llm");
    assertThat(withoutLlm.check("api", Map.of("OPENAI_API_KEY", "x")))
        .extracting(Finding::message)
        .containsExactly(
            "is an external provider key; tier api may not hold provider keys (no tier may)");
    assertThat(SEED.tiers()).containsKey("llm");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1abc", "has space", "UPPER?", "abcdefghijabcdefghijabcdefghijabc"})
  void badTierNamesAreRefused(String name) {
    assertThatThrownBy(() -> Tier.of(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badGlobsAndEmptyScopesAreRefused() {
    assertThatThrownBy(() -> Tier.of("web", "WEB_[A-Z]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Tier.of("web", "(.*)")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretTiers.builder().secretNames(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretTiers.builder().providerKeyNames(List.of("a b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretTiers.builder().build())
        .isInstanceOf(IllegalStateException.class);
    // A glob is not a regular expression: "." is a literal dot.
    SecretTiers dotted = SecretTiers.builder().tier(Tier.of("t", "A.B_KEY")).build();
    assertThat(dotted.check("t", Map.of("AXB_KEY", "x"))).hasSize(1);
    assertThat(dotted.check("t", Map.of("A.B_KEY", "x"))).isEmpty();
  }

  // The startup check: PLANEGUARD_TIER on the process environment.

  @Test
  void withoutPlaneguardTierTheStartupCheckDoesNothing() {
    Map<String, String> env = Map.of("OPENAI_API_KEY", FakeSecrets.openAiKey());
    assertThat(SecretTiers.checkStartup(contract("prod"), env)).isEmpty();
    assertThat(SecretTiers.checkStartup(contract("prod"), Map.of("PLANEGUARD_TIER", "  ")))
        .isEmpty();
  }

  @Test
  void inPreprodAndProdFindingsStopStartupListingEveryOne() {
    Map<String, String> env =
        Map.of(
            "PLANEGUARD_TIER", "worker",
            "OPENAI_API_KEY", FakeSecrets.openAiKey(),
            "NOTES", FakeSecrets.anthropicKey(),
            "EXTRACT_WORKER_TOKEN", FakeSecrets.strong(32));
    for (String mode : List.of("preprod", "prod")) {
      assertThatThrownBy(() -> SecretTiers.checkStartup(contract(mode), env))
          .as(mode)
          .isInstanceOfSatisfying(
              ConfigurationException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith("Secrets outside their tier (PLANEGUARD_TIER=worker) (2 problems)");
                assertThat(e.problems())
                    .extracting(Problem::subject)
                    .containsExactly("NOTES", "OPENAI_API_KEY");
              });
    }
  }

  @Test
  void inLocalAndTestFindingsAreReturnedAsWarnings() {
    Map<String, String> env =
        Map.of("PLANEGUARD_TIER", "api", "OPENAI_API_KEY", FakeSecrets.openAiKey());
    for (String mode : List.of("local", "test")) {
      assertThat(SecretTiers.checkStartup(contract(mode), env))
          .as(mode)
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.subject()).isEqualTo("OPENAI_API_KEY");
                assertThat(p.message())
                    .isEqualTo(
                        "is an external provider key; tier api may not hold provider keys (only llm may);"
                            + " tolerated in "
                            + mode
                            + " but refused in preprod and prod");
              });
    }
  }

  @Test
  void aCleanTierPassesInEveryMode() {
    Map<String, String> env =
        Map.of(
            "PLANEGUARD_TIER",
            "LLM",
            "ANTHROPIC_API_KEY",
            FakeSecrets.anthropicKey(),
            "PATH",
            "/usr/bin");
    for (String mode : List.of("local", "test", "preprod", "prod")) {
      assertThat(SecretTiers.checkStartup(contract(mode), env)).as(mode).isEmpty();
    }
  }

  @Test
  void anUnknownTierStopsStartupInEveryMode() {
    for (String mode : List.of("local", "test", "preprod", "prod")) {
      assertThatThrownBy(
              () -> SecretTiers.checkStartup(contract(mode), Map.of("PLANEGUARD_TIER", "gateway")))
          .as(mode)
          .isInstanceOfSatisfying(
              ConfigurationException.class,
              e ->
                  assertThat(e.problems())
                      .singleElement()
                      .satisfies(
                          p -> {
                            assertThat(p.subject()).isEqualTo("PLANEGUARD_TIER");
                            assertThat(p.message()).isEqualTo("names no tier: \"gateway\"");
                            assertThat(p.fix())
                                .isEqualTo(
                                    "set PLANEGUARD_TIER to one of data, api, worker, agent, media, llm, or unset it");
                          }));
    }
  }

  @Test
  void customScopesRunTheSameStartupCheck() {
    SecretTiers scopes = SecretTiers.builder().tier(Tier.of("web", "WEB_*")).build();
    assertThatThrownBy(
            () ->
                scopes.checkEnvironment(
                    contract("prod"), Map.of("PLANEGUARD_TIER", "web", "DB_PASSWORD", "x")))
        .isInstanceOf(ConfigurationException.class);
    assertThat(
            scopes.checkEnvironment(
                contract("prod"), Map.of("PLANEGUARD_TIER", "web", "WEB_PASSWORD", "x")))
        .isEmpty();
  }
}
