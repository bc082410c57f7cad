package dev.planeguard.cli;

import static dev.planeguard.cli.KeysCommandTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import dev.planeguard.cli.KeysCommandTest.Run;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyUsage;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code planeguard keys … --jdbc-url URL} against a real PostgreSQL with the shipped schema, with
 * password authentication and the credentials from the environment, as an operator runs it.
 */
class KeysJdbcCommandTest {

  static final String PASSWORD = "key-admin-password-7c41d09e";
  static final AtomicInteger DATABASES = new AtomicInteger();

  static EmbeddedPostgres pg;

  String database;

  /** Every run of this test, searched for secrets at the end of each test. */
  final List<Run> runs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pg = PasswordPostgres.builder().start();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE keyadmin LOGIN PASSWORD '" + PASSWORD + "'");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  /** A new database owned by {@code keyadmin}, with the schema applied from the jar. */
  @BeforeEach
  void database() throws Exception {
    database = "keys_" + DATABASES.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database + " OWNER keyadmin");
    }
    try (Connection c = admin().getConnection();
        Statement s = c.createStatement()) {
      s.execute(schema());
    }
  }

  static String schema() throws IOException {
    return resource(JdbcKeyStore.SCHEMA_RESOURCE)
        + "\n"
        + resource(JdbcKeyStore.USAGE_SCHEMA_RESOURCE);
  }

  static String resource(String name) throws IOException {
    try (InputStream in = JdbcKeyStore.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  DataSource admin() {
    return pg.getDatabase("keyadmin", database, Map.of("password", PASSWORD));
  }

  String url() {
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + database;
  }

  static Map<String, String> env(String mode) {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", mode);
    env.put("PLANEGUARD_JDBC_USER", "keyadmin");
    env.put("PLANEGUARD_JDBC_PASSWORD", PASSWORD);
    return env;
  }

  Run run(Map<String, String> env, String... args) {
    Run r = keys(env, args);
    runs.add(r);
    return r;
  }

  Run run(String... args) {
    return run(env("prod"), args);
  }

  String newKey(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "new", "--kind", "mk", "--mode", "prod", "--tenant", "acme", "--jdbc-url", url()));
    args.addAll(List.of(extra));
    Run r = run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  /** What an application node over the same table decides. */
  Verification verify(String key) {
    return KeyVerifier.of(JdbcKeyStore.builder(admin()).build())
        .verify(key, ApiKey.Kind.MACHINE, Mode.PROD);
  }

  String tableText() throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (Connection c = admin().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT t::text FROM planeguard_keys t")) {
      while (rs.next()) {
        sb.append(rs.getString(1)).append('\n');
      }
    }
    return sb.toString();
  }

  void assertNothingLeaked(String... keys) {
    LeakCheck check = LeakCheck.create().secret("database password", PASSWORD);
    for (String key : keys) {
      check.apiKey("key", key);
    }
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      // new and rotate print the key they issue alone on the first line: that is their product.
      String out = r.out();
      String first = out.lines().findFirst().orElse("");
      if (ApiKey.tryParse(first) != null) {
        out = out.substring(first.length());
      }
      check
          .text("run " + i + " stdout", out)
          .text("run " + i + " stderr", r.err())
          .text("run " + i + " log", r.log());
    }
    check.assertClean();
  }

  @Test
  void theWholeLifecycleOnTheTable() throws Exception {
    Run created =
        run(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--scopes",
            "runs:write",
            "--jdbc-url",
            url());
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out().lines().toList()).as("the key, alone on standard output").hasSize(1);
    ApiKey key = ApiKey.parse(created.out().strip());
    assertThat(created.err())
        .contains(
            "created "
                + key.id()
                + " (mk, prod, tenant acme, scopes runs:write) in table"
                + " planeguard_keys; the key above is shown this once and stored only as a hash");
    assertThat(created.log()).contains("event=KEY_CREATED key_id=" + key.id());
    assertThat(tableText()).contains(key.hash()).doesNotContain(key.value());
    assertThat(verify(key.value()))
        .isEqualTo(
            Verification.verified(new MachinePrincipal(key.id(), "acme", Set.of("runs:write"))));

    Instant before = Instant.now();
    Run rotated = run("rotate", key.id(), "--jdbc-url", url());
    Instant after = Instant.now();
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    ApiKey successor = ApiKey.parse(rotated.out().strip());
    assertThat(rotated.err()).contains("rotated " + key.id() + ": successor " + successor.id());
    KeyRecord old = JdbcKeyStore.builder(admin()).build().findById(key.id());
    assertThat(old.notAfter())
        .isBetween(before.plus(KeyLifecycle.DEFAULT_GRACE), after.plus(KeyLifecycle.DEFAULT_GRACE));
    assertThat(verify(successor.value())).isInstanceOf(Verification.Verified.class);
    assertThat(verify(key.value()))
        .as("during the grace period")
        .isInstanceOf(Verification.Verified.class);

    Run revoked = run("revoke", key.id(), "--jdbc-url", url());
    assertThat(revoked.exit()).isZero();
    assertThat(revoked.out()).isEqualTo("revoked " + key.id() + "\n");
    assertThat(revoked.log()).contains("event=KEY_REVOKED key_id=" + key.id());
    assertThat(verify(key.value())).isEqualTo(Verification.rejected(Reason.REVOKED_KEY, null));

    Run list = run("list", "--jdbc-url", url());
    assertThat(list.exit()).isZero();
    assertThat(list.out())
        .contains("ID")
        .contains(key.id())
        .contains(successor.id())
        .contains("revoked")
        .contains("2 keys")
        .doesNotContain("sha256:");
    Run json = run("list", "--jdbc-url", url(), "--json");
    Map<String, Object> parsed = JSONObjectUtils.parse(json.out());
    assertThat(parsed)
        .containsEntry("ok", true)
        .containsEntry("table", "planeguard_keys")
        .doesNotContainKey("file");
    assertThat((List<?>) parsed.get("keys")).hasSize(2);
    assertThat(json.out()).doesNotContain("sha256:").doesNotContain("hash");
    assertNothingLeaked(key.value(), successor.value());
  }

  @Test
  void listShowsAgeAndFirstAndLastUseFromTheTable() throws Exception {
    ApiKey used = ApiKey.parse(newKey());
    ApiKey unused = ApiKey.parse(newKey());
    Instant first = Instant.parse("2026-11-22T10:00:00Z");
    Instant last = Instant.parse("2026-11-23T08:30:00Z");
    try (JdbcKeyStore table = JdbcKeyStore.builder(admin()).build()) {
      table.recordUsage(Map.of(used.id(), new KeyUsage(null, first, last)));
    }

    Run text = run("list", "--jdbc-url", url());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out().lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(used.id())
                    .matches(".* (<1m|\\d+m) +- +2026-11-22T10:00:00Z +2026-11-23T08:30:00Z"))
        .anySatisfy(
            l -> assertThat(l).startsWith(unused.id()).matches(".* (<1m|\\d+m) +- +never +never"));

    Run json = run("list", "--jdbc-url", url(), "--json");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listed =
        (List<Map<String, Object>>) JSONObjectUtils.parse(json.out()).get("keys");
    for (Map<String, Object> k : listed) {
      Instant created = Instant.parse((String) k.get("created"));
      assertThat(created).isBefore(Instant.now().plusSeconds(60));
      assertThat(Duration.parse((String) k.get("age"))).isGreaterThanOrEqualTo(Duration.ZERO);
      if (k.get("id").equals(used.id())) {
        assertThat(k)
            .containsEntry("firstUsed", "2026-11-22T10:00:00Z")
            .containsEntry("lastUsed", "2026-11-23T08:30:00Z");
      } else {
        assertThat(k).containsEntry("firstUsed", null).containsEntry("lastUsed", null);
      }
    }
    assertNothingLeaked(used.value(), unused.value());
  }

  @Test
  void limitsNeedTheFourthMigrationAndListShowsTheUsesLeftInTheSharedCounts() throws Exception {
    // Without V4: a key with limits is refused, naming the file; a key without is created.
    Run refused =
        run(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--uses",
            "3",
            "--jdbc-url",
            url());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql")
        .contains("42703");
    try (Connection c = admin().getConnection();
        Statement s = c.createStatement()) {
      s.execute(resource("dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql"));
    }
    ApiKey limited = ApiKey.parse(newKey("--rate-limit", "100/1m", "--uses", "3"));
    ApiKey plain = ApiKey.parse(newKey());
    // A node of the fleet spent two of the three uses in the shared counts.
    dev.planeguard.Admission node =
        dev.planeguard.Admission.builder().jdbc(admin(), null).localAllowance(0).build();
    try (JdbcKeyStore table = JdbcKeyStore.builder(admin()).build()) {
      dev.planeguard.keys.KeyRecord record = table.findById(limited.id());
      assertThat(record.limits())
          .isEqualTo(
              new dev.planeguard.keys.KeyLimits(
                  dev.planeguard.RateLimit.parse("100/1m"), 3L, null));
      dev.planeguard.Enforcer enforcer =
          dev.planeguard.Enforcer.builder()
              .contract(
                  dev.planeguard.Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
              .policy(dev.planeguard.Policy.parse("machine /runs/**\n", "p"))
              .machineKeyVerifier(dev.planeguard.keys.KeyVerifier.of(table))
              .auditSink(e -> {})
              .admission(node)
              .build();
      for (int i = 0; i < 2; i++) {
        assertThat(
                enforcer
                    .decide(
                        dev.planeguard.InboundRequest.of(
                            "GET", "/runs/1", Map.of("X-AOS-Key", List.of(limited.value()))))
                    .allowed())
            .isTrue();
      }
    }
    Run text = run("list", "--jdbc-url", url());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out().lines())
        .anySatisfy(l -> assertThat(l).startsWith(limited.id()).contains("100/1m, 3 uses (1 left)"))
        .anySatisfy(l -> assertThat(l).startsWith(plain.id()).doesNotContain("left"));
    Run json = run("list", "--jdbc-url", url(), "--json");
    assertThat(json.out()).contains("\"usesLeft\":1");
    assertNothingLeaked(limited.value(), plain.value());
  }

  @Test
  void withoutTheUsageMigrationListSaysWhatToApply() throws Exception {
    try (Connection c = admin().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE planeguard_keys; DROP FUNCTION planeguard_keys_touch CASCADE;");
      s.execute("DROP FUNCTION planeguard_keys_notify CASCADE");
      s.execute(resource(JdbcKeyStore.SCHEMA_RESOURCE));
    }
    ApiKey key = ApiKey.parse(newKey());

    Run text = run("list", "--jdbc-url", url());
    assertThat(text.exit()).isZero();
    assertThat(text.out().lines())
        .anySatisfy(
            // The age is the record's created_at, which the first migration has; only uses are
            // unknown.
            l -> assertThat(l).startsWith(key.id()).matches(".* (<1m|\\d+m) +- +unknown +unknown"));
    assertThat(text.err())
        .contains(
            "planeguard: first and last use unknown: key table planeguard_keys: cannot read key"
                + " usage (SQLState 42703: the table lacks the usage columns; apply"
                + " dev/planeguard/sql/postgresql/V2__planeguard_keys_usage.sql)");
    Run json = run("list", "--jdbc-url", url(), "--json");
    assertThat(json.exit()).isZero();
    assertThat(JSONObjectUtils.parse(json.out())).containsEntry("ok", true);
    assertNothingLeaked(key.value());
  }

  @Test
  void jsonAnswersNameTheTableAndPrintTheKeyOnce() throws Exception {
    Run r =
        run(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--jdbc-url",
            url(),
            "--json");
    assertThat(r.exit()).isZero();
    Map<String, Object> json = JSONObjectUtils.parse(r.out());
    assertThat(json)
        .containsEntry("ok", true)
        .containsEntry("table", "planeguard_keys")
        .doesNotContainKey("hash")
        .doesNotContainKey("file");
    ApiKey key = ApiKey.parse((String) json.get("key"));
    assertThat(r.err()).doesNotContain(key.value());
    Run rotated = run("rotate", key.id(), "--grace", "0", "--jdbc-url", url(), "--json");
    Map<String, Object> rotation = JSONObjectUtils.parse(rotated.out());
    assertThat(rotation).containsEntry("table", "planeguard_keys");
    assertThat(verify(key.value())).isEqualTo(Verification.rejected(Reason.EXPIRED_KEY, null));
  }

  @Test
  void importLegacyAndALibpqUri() throws Exception {
    String secret = "aosLegacyApiKey-0123456789abcdefghij";
    Map<String, String> env = env("prod");
    env.put("AOS_API_KEY", secret);
    env.remove("PLANEGUARD_JDBC_USER");
    String uri = "postgresql://keyadmin@localhost:" + pg.getPort() + "/" + database;
    Run r =
        run(
            env,
            "import-legacy",
            "aos-api-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--from-env",
            "AOS_API_KEY",
            "--jdbc-url",
            uri);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("keys rotate aos-api-key --jdbc-url URL");
    assertThat(verify(secret))
        .isEqualTo(Verification.verified(new MachinePrincipal("aos-api-key", "acme", Set.of())));
    Run again =
        run(
            env,
            "import-legacy",
            "other",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--from-env",
            "AOS_API_KEY",
            "--jdbc-url",
            uri);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("this legacy secret is already in table planeguard_keys");
    assertThat(tableText()).doesNotContain(secret);
    LeakCheck.create()
        .wholeValue("legacy secret", secret)
        .text("out", r.out() + again.out())
        .text("err", r.err() + again.err())
        .text("log", r.log() + again.log())
        .assertClean();
  }

  @Test
  void aDatabaseThatCannotAnswerIsARefusal() throws Exception {
    String key = newKey();
    String id = ApiKey.parse(key).id();

    Run unreachable = run("revoke", id, "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/" + database);
    assertThat(unreachable.exit()).isEqualTo(1);
    assertThat(unreachable.err())
        .isEqualTo(
            "planeguard: key table planeguard_keys: cannot revoke a key"
                + " (SQLState 08001: cannot connect to the database)\n");
    assertThat(unreachable.out()).isEmpty();

    Map<String, String> wrong = env("prod");
    wrong.put("PLANEGUARD_JDBC_PASSWORD", "not-the-password-but-long-enough");
    Run refused = run(wrong, "list", "--jdbc-url", url(), "--json");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(JSONObjectUtils.parse(refused.out()))
        .containsEntry("ok", false)
        .containsEntry("error", "database unavailable");
    assertThat(refused.out()).contains("SQLState 28P01");
    assertThat(refused.all()).doesNotContain("not-the-password");

    try (Connection c = admin().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE planeguard_keys");
    }
    Run noTable =
        run("new", "--kind", "mk", "--mode", "prod", "--tenant", "acme", "--jdbc-url", url());
    assertThat(noTable.exit()).isEqualTo(1);
    assertThat(noTable.err())
        .contains(
            "the table does not exist; apply dev/planeguard/sql/postgresql/V1__planeguard_keys.sql");
    assertThat(noTable.out()).as("no key printed when none was stored").isEmpty();
    assertNothingLeaked(key);
  }

  @Test
  void theDatabasePasswordIsCheckedLikeEverySecret() throws Exception {
    Map<String, String> weak = env("prod");
    weak.put("PLANEGUARD_JDBC_PASSWORD", "changeme");
    Run r = run(weak, "list", "--jdbc-url", url());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("planeguard: database credentials refused")
        .contains("PLANEGUARD_JDBC_PASSWORD")
        .doesNotContain("changeme");
    Run json =
        run(
            weak,
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--jdbc-url",
            url(),
            "--json");
    assertThat(json.exit()).isEqualTo(1);
    Map<String, Object> parsed = JSONObjectUtils.parse(json.out());
    assertThat(parsed)
        .containsEntry("ok", false)
        .containsEntry("error", "database credentials refused")
        .doesNotContainKey("key");
    assertThat((List<?>) parsed.get("problems")).isNotEmpty();
    assertThat(tableText()).as("nothing was written").isEmpty();

    // In local and test a weak password is a warning (as for check-migration), not a refusal.
    Map<String, String> local = env("local");
    local.put("PLANEGUARD_JDBC_PASSWORD", "changeme");
    Run attempted = run(local, "list", "--jdbc-url", url());
    assertThat(attempted.err()).contains("SQLState 28P01");
  }

  @Test
  void exactlyOneStore() {
    assertThat(run("list").exit()).isEqualTo(2);
    Run both = run("list", "--file", "keys.jsonl", "--jdbc-url", url());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("give exactly one of --file KEYS_FILE or --jdbc-url URL");
    assertThat(run("list", "--jdbc-url", "mysql://localhost/x").exit()).isEqualTo(2);
    Run secretInUrl =
        run(
            "list",
            "--jdbc-url",
            "jdbc:postgresql://localhost:"
                + pg.getPort()
                + "/"
                + database
                + "?user=keyadmin&password="
                + PASSWORD);
    assertThat(secretInUrl.exit()).as("a password in the URL works, and is never printed").isZero();
    assertNothingLeaked();
  }
}
