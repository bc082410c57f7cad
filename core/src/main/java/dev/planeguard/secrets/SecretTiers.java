package dev.planeguard.secrets;

import static java.util.Objects.requireNonNull;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.internal.SecretPatterns;
import dev.planeguard.internal.Text;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Which secrets each deployment tier may hold, and a check of an environment against it.
 *
 * <p>A deployment is split into tiers (databases, API gateways, workers, …), each with its own env
 * file; a tier holds only the secrets it needs, so a compromised service exposes only its tier's
 * secrets. {@link #seed()} is the six-tier layout in which only the {@code llm} tier — the gateway
 * to external model providers — holds provider keys.
 *
 * <h2>What counts as what</h2>
 *
 * <ul>
 *   <li>A <b>secret name</b> matches one of {@link #secretNames()} ({@code *_KEY}, {@code
 *       *_SECRET}, {@code *_TOKEN}, {@code *PASSWORD}, …) and none of {@link #notSecretNames()}
 *       ({@code *PUBLIC_KEY}, …). A variable whose value is a URL with a password ({@code
 *       DATABASE_URL=postgres://app:…@db/app}) is a secret whatever its name.
 *   <li>A <b>provider key name</b> is a secret name that also matches {@link #providerKeyNames()}
 *       ({@code OPENAI_*}, {@code ANTHROPIC_*}, {@code GEMINI_*}, …).
 *   <li>A <b>provider-shaped value</b> contains a string shaped like an external provider's key:
 *       {@code sk-ant-…}, {@code sk-…}, {@code AIza…}, {@code ghp_…} (and the other GitHub token
 *       prefixes), {@code AKIA…}. A <b>planeguard-shaped value</b> contains a string in
 *       planeguard's key format. Each shape needs its full length: {@code sk-xxxxx} is a
 *       placeholder, not a key.
 * </ul>
 *
 * <h2>The check</h2>
 *
 * <p>{@link #check} reports, for an environment of tier {@code T}:
 *
 * <table class="striped">
 *   <caption>Findings</caption>
 *   <tr><th>kind</th><th>when</th></tr>
 *   <tr><td>{@code PROVIDER_KEY_OUTSIDE_TIER}</td><td>a provider key name, and {@code T} may not hold
 *       provider keys</td></tr>
 *   <tr><td>{@code SECRET_OUTSIDE_TIER}</td><td>any other secret whose name none of {@code T}'s
 *       globs matches (a tier that may hold provider keys holds every provider key name without
 *       listing it)</td></tr>
 *   <tr><td>{@code PROVIDER_KEY_VALUE}</td><td>a provider-shaped value, unless {@code T} may hold
 *       provider keys and the name matches {@link #providerKeyNames()}: a provider key under an
 *       innocent name, or in a tier that may not hold it</td></tr>
 *   <tr><td>{@code PLANEGUARD_KEY_VALUE}</td><td>a planeguard-shaped value under a name that is
 *       not a secret name</td></tr>
 * </table>
 *
 * <p>Findings name the variable and what is wrong, never its value. Globs match whole names,
 * case-insensitively; {@code *} matches any run of characters, including none. Instances are
 * immutable; build custom scopes with {@link #builder()}, or start from {@code seed().toBuilder()}.
 *
 * <h2>At startup</h2>
 *
 * <p>{@link #checkStartup(Contract, Map)} runs the check on the process environment when {@value
 * #TIER_VARIABLE} names the process's tier: findings stop startup in preprod and prod and are
 * returned as warnings elsewhere.
 */
public final class SecretTiers {

  /** The variable naming the tier of the running process, for {@link #checkStartup}. */
  public static final String TIER_VARIABLE = "PLANEGUARD_TIER";

  private static final Pattern TIER_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");
  private static final int SHOWN = 40;

  /**
   * One tier: its name and the secret names (globs) it may hold.
   *
   * @param name lower-case letters, digits, {@code _} and {@code -}; upper case is folded
   * @param secretNames globs of the secret names the tier may hold
   * @param providerKeys whether the tier may hold external provider keys
   */
  public record Tier(String name, List<String> secretNames, boolean providerKeys) {
    /** Validates the name and the globs. */
    public Tier {
      requireNonNull(name, "name");
      name = name.strip().toLowerCase(Locale.ROOT);
      if (!TIER_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "a tier name is a letter, then letters, digits, _ or -: " + Text.quote(name, SHOWN));
      }
      secretNames = List.copyOf(secretNames);
      secretNames.forEach(SecretTiers::requireGlob);
    }

    /** A tier that may hold the secrets {@code secretNames} match and no provider key. */
    public static Tier of(String name, String... secretNames) {
      return new Tier(name, List.of(secretNames), false);
    }

    /** A tier that may hold external provider keys as well as what {@code secretNames} match. */
    public static Tier withProviderKeys(String name, String... secretNames) {
      return new Tier(name, List.of(secretNames), true);
    }
  }

  /**
   * Something in an environment that its tier should not hold.
   *
   * @param name the variable
   * @param kind what was found
   * @param message what is wrong, one line, without the value
   * @param fix how to fix it, one line
   */
  public record Finding(String name, Kind kind, String message, String fix) {

    /** The kinds of finding; see the {@linkplain SecretTiers class description}. */
    public enum Kind {
      /** A provider key name in a tier that may not hold provider keys. */
      PROVIDER_KEY_OUTSIDE_TIER,
      /** A secret the tier's globs do not cover. */
      SECRET_OUTSIDE_TIER,
      /** A value shaped like a provider key, under an innocent name or in the wrong tier. */
      PROVIDER_KEY_VALUE,
      /** A value shaped like a planeguard key under a name that is not a secret name. */
      PLANEGUARD_KEY_VALUE
    }

    /** Checks that no component is null. */
    public Finding {
      requireNonNull(name, "name");
      requireNonNull(kind, "kind");
      requireNonNull(message, "message");
      requireNonNull(fix, "fix");
    }

    /** This finding as a configuration problem about the variable {@link #name()}. */
    public Problem toProblem() {
      return new Problem(name, message, fix);
    }

    /** {@code NAME: message (KIND)} */
    @Override
    public String toString() {
      return name + ": " + message + " (" + kind + ")";
    }
  }

  private static final List<String> DEFAULT_SECRET_NAMES =
      List.of(
          "*_KEY",
          "*_KEYS",
          "*_APIKEY",
          "*_SECRET",
          "*_SECRETS",
          "*_TOKEN",
          "*PASSWORD",
          "*_PASS",
          "*_PASSWD",
          "*_PWD",
          "*_CREDENTIAL",
          "*_CREDENTIALS",
          "*_PEPPER",
          "SECRET",
          "TOKEN");

  private static final List<String> DEFAULT_NOT_SECRET_NAMES =
      List.of("*PUBLIC_KEY", "*PUBLISHABLE_KEY");

  private static final List<String> DEFAULT_PROVIDER_KEY_NAMES =
      List.of(
          "OPENAI_*",
          "AZURE_OPENAI_*",
          "ANTHROPIC_*",
          "CLAUDE_*",
          "GEMINI_*",
          "GOOGLE_API_KEY",
          "GOOGLE_AI_*",
          "GOOGLE_GENAI_*",
          "GOOGLE_GENERATIVE_AI_*",
          "VERTEX_*",
          "VENICE_*",
          "MISTRAL_*",
          "COHERE_*",
          "CO_API_KEY",
          "GROQ_*",
          "TOGETHER_*",
          "TOGETHERAI_*",
          "FIREWORKS_*",
          "DEEPSEEK_*",
          "XAI_*",
          "GROK_*",
          "OPENROUTER_*",
          "PERPLEXITY_*",
          "PPLX_*",
          "REPLICATE_*",
          "HUGGINGFACE_*",
          "HF_*",
          "VOYAGE_*",
          "AI21_*",
          "CEREBRAS_*",
          "BEDROCK_*",
          "AWS_*",
          "GITHUB_*",
          "GH_*");

  private static final List<String> DATA_SECRETS =
      List.of(
          "POSTGRES_*",
          "PG*",
          "DB_*",
          "*_DB_*",
          "DATABASE_*",
          "*_DATABASE_*",
          "MYSQL_*",
          "MARIADB_*",
          "MONGO*",
          "REDIS_*",
          "VALKEY_*",
          "NEO4J_*",
          "QDRANT_*",
          "MEILI_*",
          "MEILISEARCH_*",
          "MINIO_*",
          "CLICKHOUSE_*",
          "OPENSEARCH_*",
          "ELASTIC_*");

  private static final SecretTiers SEED =
      builder()
          .tier(new Tier("data", DATA_SECRETS, false))
          .tier(
              new Tier(
                  "api",
                  concat(
                      DATA_SECRETS,
                      "SUPABASE_*",
                      "POSTGREST_*",
                      "PRESIGN_*",
                      "JWT_*",
                      "SESSION_*",
                      "COOKIE_*",
                      "CSRF_*",
                      "OIDC_*",
                      "OAUTH_*",
                      "CLERK_*",
                      "TENSORZERO_*",
                      "PLANEGUARD_*"),
                  false))
          .tier(
              Tier.of(
                  "worker",
                  "*WORKER*",
                  "EXTRACT_*",
                  "LANGEXTRACT_*",
                  "PDF_*",
                  "NOTEBOOK_*",
                  "QUEUE_*",
                  "NATS_*",
                  "TENSORZERO_*",
                  "PLANEGUARD_*"))
          .tier(
              Tier.of(
                  "agent",
                  "AGENT_*",
                  "*_AGENT_*",
                  "ARCHON_*",
                  "MESH_*",
                  "DEEPRESEARCH_*",
                  "NATS_*",
                  "TENSORZERO_*",
                  "PLANEGUARD_*"))
          .tier(
              Tier.of(
                  "media",
                  "MEDIA_*",
                  "*_MEDIA_*",
                  "YT_*",
                  "YOUTUBE_*",
                  "WHISPER_*",
                  "FFMPEG_*",
                  "TENSORZERO_*",
                  "PLANEGUARD_*"))
          .tier(Tier.withProviderKeys("llm", "TENSORZERO_*", "OLLAMA_*", "PLANEGUARD_*"))
          .build();

  private final Map<String, Tier> tiers;
  private final Map<String, Pattern> tierPatterns;
  private final List<String> secretNames;
  private final List<String> notSecretNames;
  private final List<String> providerKeyNames;
  private final @Nullable Pattern secretPattern;
  private final @Nullable Pattern notSecretPattern;
  private final @Nullable Pattern providerPattern;

  private SecretTiers(Builder b) {
    this.tiers = Collections.unmodifiableMap(new LinkedHashMap<>(b.tiers));
    Map<String, Pattern> patterns = new LinkedHashMap<>();
    for (Tier tier : tiers.values()) {
      Pattern p = compile(tier.secretNames());
      if (p != null) {
        patterns.put(tier.name(), p);
      }
    }
    this.tierPatterns = patterns;
    this.secretNames = List.copyOf(b.secretNames);
    this.notSecretNames = List.copyOf(b.notSecretNames);
    this.providerKeyNames = List.copyOf(b.providerKeyNames);
    this.secretPattern = compile(secretNames);
    this.notSecretPattern = compile(notSecretNames);
    this.providerPattern = compile(providerKeyNames);
  }

  /**
   * The six tiers of the seed deployment, with the default secret, non-secret and provider key
   * names. Each tier may hold:
   *
   * <table class="striped">
   *   <caption>Seed tiers</caption>
   *   <tr><th>tier</th><th>serves</th><th>secret names it may hold</th></tr>
   *   <tr><td>{@code data}</td><td>databases, object and search stores</td><td>{@code POSTGRES_*},
   *       {@code PG*}, {@code DB_*}, {@code *_DB_*}, {@code DATABASE_*}, {@code *_DATABASE_*},
   *       {@code MYSQL_*}, {@code MARIADB_*}, {@code MONGO*}, {@code REDIS_*}, {@code VALKEY_*},
   *       {@code NEO4J_*}, {@code QDRANT_*}, {@code MEILI_*}, {@code MEILISEARCH_*}, {@code
   *       MINIO_*}, {@code CLICKHOUSE_*}, {@code OPENSEARCH_*}, {@code ELASTIC_*}</td></tr>
   *   <tr><td>{@code api}</td><td>API gateways</td><td>those of {@code data}, and {@code
   *       SUPABASE_*}, {@code POSTGREST_*}, {@code PRESIGN_*}, {@code JWT_*}, {@code SESSION_*},
   *       {@code COOKIE_*}, {@code CSRF_*}, {@code OIDC_*}, {@code OAUTH_*}, {@code CLERK_*},
   *       {@code TENSORZERO_*}, {@code PLANEGUARD_*}</td></tr>
   *   <tr><td>{@code worker}</td><td>background processing</td><td>{@code *WORKER*}, {@code
   *       EXTRACT_*}, {@code LANGEXTRACT_*}, {@code PDF_*}, {@code NOTEBOOK_*}, {@code QUEUE_*},
   *       {@code NATS_*}, {@code TENSORZERO_*}, {@code PLANEGUARD_*}</td></tr>
   *   <tr><td>{@code agent}</td><td>agents</td><td>{@code AGENT_*}, {@code *_AGENT_*}, {@code
   *       ARCHON_*}, {@code MESH_*}, {@code DEEPRESEARCH_*}, {@code NATS_*}, {@code TENSORZERO_*},
   *       {@code PLANEGUARD_*}</td></tr>
   *   <tr><td>{@code media}</td><td>media pipeline</td><td>{@code MEDIA_*}, {@code *_MEDIA_*},
   *       {@code YT_*}, {@code YOUTUBE_*}, {@code WHISPER_*}, {@code FFMPEG_*}, {@code
   *       TENSORZERO_*}, {@code PLANEGUARD_*}</td></tr>
   *   <tr><td>{@code llm}</td><td>the model gateway only</td><td><b>external provider keys</b>,
   *       and {@code TENSORZERO_*}, {@code OLLAMA_*}, {@code PLANEGUARD_*}</td></tr>
   * </table>
   */
  public static SecretTiers seed() {
    return SEED;
  }

  /**
   * A builder with no tiers and the default secret names ({@code *_KEY}, {@code *_KEYS}, {@code
   * *_APIKEY}, {@code *_SECRET}, {@code *_SECRETS}, {@code *_TOKEN}, {@code *PASSWORD}, {@code
   * *_PASS}, {@code *_PASSWD}, {@code *_PWD}, {@code *_CREDENTIAL}, {@code *_CREDENTIALS}, {@code
   * *_PEPPER}, {@code SECRET}, {@code TOKEN}), non-secret names ({@code *PUBLIC_KEY}, {@code
   * *PUBLISHABLE_KEY}) and provider key names ({@code OPENAI_*}, {@code AZURE_OPENAI_*}, {@code
   * ANTHROPIC_*}, {@code CLAUDE_*}, {@code GEMINI_*}, {@code GOOGLE_API_KEY}, {@code GOOGLE_AI_*},
   * {@code GOOGLE_GENAI_*}, {@code GOOGLE_GENERATIVE_AI_*}, {@code VERTEX_*}, {@code VENICE_*},
   * {@code MISTRAL_*}, {@code COHERE_*}, {@code CO_API_KEY}, {@code GROQ_*}, {@code TOGETHER_*},
   * {@code TOGETHERAI_*}, {@code FIREWORKS_*}, {@code DEEPSEEK_*}, {@code XAI_*}, {@code GROK_*},
   * {@code OPENROUTER_*}, {@code PERPLEXITY_*}, {@code PPLX_*}, {@code REPLICATE_*}, {@code
   * HUGGINGFACE_*}, {@code HF_*}, {@code VOYAGE_*}, {@code AI21_*}, {@code CEREBRAS_*}, {@code
   * BEDROCK_*}, {@code AWS_*}, {@code GITHUB_*}, {@code GH_*}).
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preloaded with these scopes. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.tiers.putAll(tiers);
    b.secretNames = secretNames;
    b.notSecretNames = notSecretNames;
    b.providerKeyNames = providerKeyNames;
    return b;
  }

  /** The tiers by name, in declaration order. */
  public Map<String, Tier> tiers() {
    return tiers;
  }

  /** Globs of the names that hold secrets. */
  public List<String> secretNames() {
    return secretNames;
  }

  /** Globs of names that are never secret names, even if {@link #secretNames()} match them. */
  public List<String> notSecretNames() {
    return notSecretNames;
  }

  /** Globs of the names of external provider keys (matched only against secret names). */
  public List<String> providerKeyNames() {
    return providerKeyNames;
  }

  /** Whether {@code name} is a secret name. */
  public boolean isSecretName(String name) {
    return matches(secretPattern, name) && !matches(notSecretPattern, name);
  }

  /** Whether {@code name} is a secret name that names an external provider key. */
  public boolean isProviderKeyName(String name) {
    return isSecretName(name) && matches(providerPattern, name);
  }

  /**
   * Checks the variables of one tier's environment.
   *
   * @param tier the tier, case-insensitively
   * @param env the tier's variables and their values
   * @return what the tier should not hold, sorted by variable name; empty if nothing
   * @throws IllegalArgumentException if {@code tier} is not one of {@link #tiers()}
   */
  public List<Finding> check(String tier, Map<String, String> env) {
    Tier t = tiers.get(tier.strip().toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown tier "
              + Text.quote(tier, SHOWN)
              + "; the tiers are "
              + String.join(", ", tiers.keySet()));
    }
    List<Finding> findings = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      check(t, e.getKey(), e.getValue(), findings);
    }
    return findings;
  }

  private void check(Tier t, String name, String value, List<Finding> findings) {
    boolean secretName = isSecretName(name);
    boolean providerName = matches(providerPattern, name);
    boolean providerKeyName = secretName && providerName;
    boolean urlCredentials = !secretName && SecretPatterns.hasUrlCredentials(value);
    String tier = t.name();
    boolean providerKeyReported = false;

    if (providerKeyName && !t.providerKeys()) {
      findings.add(
          new Finding(
              name,
              Finding.Kind.PROVIDER_KEY_OUTSIDE_TIER,
              "is an external provider key; tier "
                  + tier
                  + " may not hold provider keys"
                  + onlyIn(providerTiers()),
              "remove it from tier "
                  + tier
                  + " and reach the provider through "
                  + gateway(providerTiers())
                  + "; if the key was ever exposed, revoke it at the"
                  + " provider first"));
      providerKeyReported = true;
    } else if ((secretName || urlCredentials)
        && !(providerKeyName && t.providerKeys())
        && !matches(tierPatterns.get(tier), name)) {
      List<String> owners = owners(name);
      findings.add(
          new Finding(
              name,
              Finding.Kind.SECRET_OUTSIDE_TIER,
              (urlCredentials ? "holds a URL with a password, a secret" : "is a secret")
                  + " tier "
                  + tier
                  + " may not hold"
                  + (owners.isEmpty()
                      ? " (no tier declares it)"
                      : " (it belongs to " + String.join(", ", owners) + ")"),
              owners.isEmpty()
                  ? "move it to the tier that needs it and declare it there, or remove it"
                  : "move it to the env file of " + String.join(" or ", owners)));
    }

    String keyKind = SecretPatterns.providerKeyKind(value);
    if (keyKind != null && !providerKeyReported && !(t.providerKeys() && providerName)) {
      findings.add(
          new Finding(
              name,
              Finding.Kind.PROVIDER_KEY_VALUE,
              "has a value shaped like "
                  + article(keyKind)
                  + " "
                  + keyKind
                  + (t.providerKeys()
                      ? " under a name that is not a provider key name"
                      : "; tier " + tier + " may not hold provider keys" + onlyIn(providerTiers())),
              "if it is a real key, revoke it at the provider first; provider keys belong only in "
                  + gateway(providerTiers())
                  + ", under the provider's variable name"));
    }

    if (!secretName && SecretPatterns.containsPlaneguardKey(value)) {
      findings.add(
          new Finding(
              name,
              Finding.Kind.PLANEGUARD_KEY_VALUE,
              "has a value shaped like a planeguard API key under a name that is not a secret name",
              "if the key was exposed, revoke it and issue a new one; keep keys under a secret"
                  + " name (such as *_KEY) of a tier that may hold it"));
    }
  }

  /**
   * The startup check with the {@linkplain #seed() seed} tiers: see {@link #checkEnvironment}.
   * Every adapter calls it once at startup, after parsing the contract.
   *
   * @param contract the process's contract (its mode decides between violation and warning)
   * @param env the process environment, usually {@link System#getenv()}
   * @return warnings to log (local and test); empty if {@value #TIER_VARIABLE} is unset or nothing
   *     was found
   * @throws ConfigurationException if {@value #TIER_VARIABLE} names no tier (in every mode), or, in
   *     preprod and prod, listing every finding
   */
  public static List<Problem> checkStartup(Contract contract, Map<String, String> env) {
    return SEED.checkEnvironment(contract, env);
  }

  /**
   * Checks a process environment against the tier named by {@value #TIER_VARIABLE}, if it is set
   * (blank counts as unset). Findings are violations in preprod and prod and warnings elsewhere; a
   * tier name that is not one of {@link #tiers()} is a violation in every mode, because the check
   * it asks for cannot run.
   *
   * @return warnings to log; empty if the variable is unset or nothing was found
   * @throws ConfigurationException listing every violation
   */
  public List<Problem> checkEnvironment(Contract contract, Map<String, String> env) {
    requireNonNull(contract, "contract");
    String value = env.get(TIER_VARIABLE);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    String tier = value.strip().toLowerCase(Locale.ROOT);
    if (!tiers.containsKey(tier)) {
      throw new ConfigurationException(
          "Invalid planeguard tier",
          List.of(
              new Problem(
                  TIER_VARIABLE,
                  "names no tier: " + Text.quote(value, SHOWN),
                  "set "
                      + TIER_VARIABLE
                      + " to one of "
                      + String.join(", ", tiers.keySet())
                      + ", or unset it")));
    }
    List<Problem> problems = new ArrayList<>();
    for (Finding f : check(tier, env)) {
      problems.add(f.toProblem());
    }
    if (problems.isEmpty()) {
      return List.of();
    }
    Mode mode = contract.mode();
    if (mode.isProductionLike()) {
      throw new ConfigurationException(
          "Secrets outside their tier (" + TIER_VARIABLE + "=" + tier + ")", problems);
    }
    return problems.stream()
        .map(
            p ->
                new Problem(
                    p.subject(),
                    p.message() + "; tolerated in " + mode + " but refused in preprod and prod",
                    p.fix()))
        .toList();
  }

  private List<String> providerTiers() {
    return tiers.values().stream().filter(Tier::providerKeys).map(Tier::name).toList();
  }

  private List<String> owners(String name) {
    List<String> owners = new ArrayList<>();
    tierPatterns.forEach(
        (tier, pattern) -> {
          if (pattern.matcher(name).matches()) {
            owners.add(tier);
          }
        });
    return owners;
  }

  private static String onlyIn(List<String> providerTiers) {
    return providerTiers.isEmpty()
        ? " (no tier may)"
        : " (only " + String.join(", ", providerTiers) + " may)";
  }

  private static String gateway(List<String> providerTiers) {
    return providerTiers.isEmpty()
        ? "a dedicated gateway tier"
        : "tier " + String.join(" or ", providerTiers);
  }

  private static String article(String label) {
    return "AEIOU".indexOf(label.charAt(0)) >= 0 ? "an" : "a";
  }

  private static boolean matches(@Nullable Pattern pattern, String name) {
    return pattern != null && pattern.matcher(name).matches();
  }

  private static @Nullable Pattern compile(List<String> globs) {
    if (globs.isEmpty()) {
      return null;
    }
    return Pattern.compile(
        globs.stream().map(SecretTiers::globToRegex).collect(Collectors.joining("|")),
        Pattern.CASE_INSENSITIVE);
  }

  private static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder("(?:");
    int start = 0;
    for (int i = glob.indexOf('*'); i >= 0; i = glob.indexOf('*', start)) {
      if (i > start) {
        sb.append(Pattern.quote(glob.substring(start, i)));
      }
      sb.append(".*");
      start = i + 1;
    }
    if (start < glob.length()) {
      sb.append(Pattern.quote(glob.substring(start)));
    }
    return sb.append(')').toString();
  }

  private static void requireGlob(String glob) {
    if (!GLOB.matcher(glob).matches()) {
      throw new IllegalArgumentException(
          "a name glob is letters, digits, _ . - and *: " + Text.quote(glob, SHOWN));
    }
  }

  private static List<String> concat(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }

  /** Tier names and counts; the globs are in {@link #tiers()}. */
  @Override
  public String toString() {
    return "SecretTiers{tiers="
        + tiers.keySet()
        + ", secretNames="
        + secretNames.size()
        + " globs, providerKeyNames="
        + providerKeyNames.size()
        + " globs}";
  }

  /** Builds {@link SecretTiers}; starts with no tiers and the default name globs. */
  public static final class Builder {
    private final Map<String, Tier> tiers = new LinkedHashMap<>();
    private List<String> secretNames = DEFAULT_SECRET_NAMES;
    private List<String> notSecretNames = DEFAULT_NOT_SECRET_NAMES;
    private List<String> providerKeyNames = DEFAULT_PROVIDER_KEY_NAMES;

    private Builder() {}

    /** Adds a tier, or replaces the one with the same name. */
    public Builder tier(Tier tier) {
      requireNonNull(tier, "tier");
      tiers.put(tier.name(), tier);
      return this;
    }

    /** Removes the tier with this name, if any. */
    public Builder removeTier(String name) {
      tiers.remove(name.strip().toLowerCase(Locale.ROOT));
      return this;
    }

    /** Replaces the globs of the names that hold secrets (at least one). */
    public Builder secretNames(Collection<String> globs) {
      List<String> copy = List.copyOf(globs);
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("at least one secret name glob is needed");
      }
      copy.forEach(SecretTiers::requireGlob);
      this.secretNames = copy;
      return this;
    }

    /** Replaces the globs of names that are never secret names. */
    public Builder notSecretNames(Collection<String> globs) {
      List<String> copy = List.copyOf(globs);
      copy.forEach(SecretTiers::requireGlob);
      this.notSecretNames = copy;
      return this;
    }

    /** Replaces the globs of the names of external provider keys. */
    public Builder providerKeyNames(Collection<String> globs) {
      List<String> copy = List.copyOf(globs);
      copy.forEach(SecretTiers::requireGlob);
      this.providerKeyNames = copy;
      return this;
    }

    /**
     * Builds the scopes.
     *
     * @throws IllegalStateException if no tier was declared
     */
    public SecretTiers build() {
      if (tiers.isEmpty()) {
        throw new IllegalStateException("declare at least one tier");
      }
      return new SecretTiers(this);
    }
  }
}
