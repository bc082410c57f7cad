package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditLedger;
import dev.planeguard.AuditSink;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code planeguard audit … --jdbc-url URL --node N}: the ledger table of a fleet, read as an
 * operator reads it, with the credentials from the environment.
 */
class AuditTableCommandTest {

  static final String PASSWORD = "ledger-reader-password-51c0e2a9";
  static EmbeddedPostgres pg;
  static ApiKey key;
  static ApiKey other;

  @BeforeAll
  static void start() throws Exception {
    pg = PasswordPostgres.builder().start();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE auditor LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE audit OWNER auditor");
    }
    try (Connection c = owner().getConnection();
        Statement s = c.createStatement();
        InputStream schema =
            AuditLedger.class.getClassLoader().getResourceAsStream(AuditLedger.SCHEMA_RESOURCE)) {
      s.execute(new String(schema.readAllBytes(), StandardCharsets.UTF_8));
    }
    key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    other = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(key, "acme", Set.of(), null));
    keys.add(KeyRecord.of(other, "globex", Set.of(), null));
    try (AuditLedger ledger = AuditLedger.jdbc(owner(), "web-1").open()) {
      Enforcer enforcer =
          Enforcer.builder()
              .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
              .policy(Policy.parse("machine /api/v1/runs/**\n", "test.policy"))
              .machineKeyVerifier(KeyVerifier.of(keys))
              .auditSink(AuditSink.none())
              .auditLedger(ledger)
              .build();
      for (ApiKey k : List.of(key, key, other)) {
        enforcer.decide(
            InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(k.value()))));
      }
      enforcer.decide(InboundRequest.of("GET", "/api/v1/runs", Map.of()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  static DataSource owner() {
    return pg.getDatabase("auditor", "audit", Map.of("password", PASSWORD));
  }

  static String url() {
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/audit";
  }

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "prod");
    env.put("PLANEGUARD_JDBC_USER", "auditor");
    env.put("PLANEGUARD_JDBC_PASSWORD", PASSWORD);
    return env;
  }

  static CliRun audit(String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "audit";
    System.arraycopy(args, 0, argv, 1, args.length);
    return CliRun.run(env(), argv);
  }

  @Test
  void verifySweepAndUsageReadOneNodesChain() throws Exception {
    CliRun verify = audit("verify", "--jdbc-url", url(), "--node", "web-1");
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("ok: the chain is intact: 4 entries checked");

    CliRun sweep = audit("sweep", "--jdbc-url", url(), "--node", "web-1", "--key-id", key.id());
    assertThat(sweep.exit()).as(sweep.err()).isZero();
    assertThat(sweep.out()).contains(": 2 allowed, 0 refused");

    CliRun usage = audit("usage", "--jdbc-url", url(), "--node", "web-1", "--by", "tenant");
    assertThat(usage.exit()).isZero();
    assertThat(usage.out())
        .containsPattern("(?m)^acme +2 +0 ")
        .containsPattern("(?m)^globex +1 +0 ");

    CliRun none = audit("verify", "--jdbc-url", url(), "--node", "web-2");
    assertThat(none.exit()).isZero();
    assertThat(none.out()).startsWith("ok: the ledger has no entries yet");

    LeakCheck.create()
        .secret("database password", PASSWORD)
        .apiKey("key", key.value())
        .apiKey("other", other.value())
        .text("runs", verify.out() + verify.err() + sweep.out() + sweep.err() + usage.out())
        .assertClean();
  }

  @Test
  void anEditedRowIsNamedAndTheCommandLineNeverShowsThePassword() throws Exception {
    try (Connection c = owner().getConnection();
        Statement s = c.createStatement()) {
      // The owner must turn the append-only trigger off to change a row, as an intruder would.
      s.execute("ALTER TABLE planeguard_audit_ledger DISABLE TRIGGER USER");
      s.execute(
          "UPDATE planeguard_audit_ledger SET entry = replace(entry, 'AUTHENTICATED', 'PUBLIC')"
              + " WHERE node = 'web-1' AND seq = 1");
      s.execute("ALTER TABLE planeguard_audit_ledger ENABLE TRIGGER USER");
    }
    try {
      CliRun verify = audit("verify", "--jdbc-url", url(), "--node", "web-1", "--json");
      assertThat(verify.exit()).isEqualTo(1);
      assertThat(verify.out())
          .contains("\"kind\":\"edited\"")
          .contains("\"location\":\"planeguard_audit_ledger node=web-1 seq=1\"");
      CliRun sweep = audit("sweep", "--jdbc-url", url(), "--node", "web-1", "--key-id", key.id());
      assertThat(sweep.exit()).isZero();
      assertThat(sweep.err())
          .contains(
              "warning: the ledger's chain breaks at planeguard_audit_ledger node=web-1 seq=1")
          .contains("audit verify --jdbc-url URL --node web-1 --table planeguard_audit_ledger");
      LeakCheck.create()
          .secret("database password", PASSWORD)
          .text("runs", verify.out() + verify.err() + sweep.out() + sweep.err())
          .assertClean();
    } finally {
      try (Connection c = owner().getConnection();
          Statement s = c.createStatement()) {
        s.execute("ALTER TABLE planeguard_audit_ledger DISABLE TRIGGER USER");
        s.execute(
            "UPDATE planeguard_audit_ledger SET entry = replace(entry, '\"PUBLIC\"',"
                + " '\"AUTHENTICATED\"') WHERE node = 'web-1' AND seq = 1");
        s.execute("ALTER TABLE planeguard_audit_ledger ENABLE TRIGGER USER");
      }
    }
  }

  @Test
  void aTableAndAFileAtOnceOrANodeWithoutATableAreUsageErrors() {
    assertThat(audit("verify", "ledger.jsonl", "--jdbc-url", url(), "--node", "web-1").exit())
        .isEqualTo(2);
    assertThat(audit("verify", "--jdbc-url", url()).exit()).isEqualTo(2);
    assertThat(audit("verify", "ledger.jsonl", "--node", "web-1").exit()).isEqualTo(2);
    assertThat(audit("verify", "--jdbc-url", url(), "--node", "two words").exit()).isEqualTo(2);
  }
}
