package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.AuditLedger;
import dev.planeguard.ConfigurationException;
import dev.planeguard.LedgerEntry;
import dev.planeguard.LedgerVerification;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.spring.apps.Apps;
import dev.planeguard.testing.LeakCheck;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The audit ledger in a table of the application's database, on real Tomcat: Flyway (through the
 * migration gate) creates the table from the schema in planeguard's jar, and every decision over
 * HTTP is a row of the node's intact chain.
 */
class AuditLedgerTableHttpTest {

  @TempDir static Path dir;
  static EmbeddedPostgres postgres;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  static ConfigurableApplicationContext run(ApiKey key, String... more) {
    Path keys = dir.resolve("keys-" + key.id() + ".jsonl");
    try (KeyFile f = KeyFile.openOrCreate(keys)) {
      f.add(KeyRecord.of(key, "acme", Set.of("runs:write"), null));
    }
    List<String> props =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=local",
                "DB_AUTHORITY=local",
                "DB_ROLE=staging",
                "planeguard.machine.keys-file=" + keys,
                "spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "spring.datasource.username=postgres",
                "spring.flyway.locations=classpath:"
                    + AuditLedger.SCHEMA_RESOURCE.substring(
                        0, AuditLedger.SCHEMA_RESOURCE.lastIndexOf('/')),
                "spring.liquibase.enabled=false",
                "management.endpoints.web.exposure.exclude=*",
                "management.endpoints.web.discovery.enabled=false"));
    props.addAll(List.of(more));
    return new SpringApplicationBuilder(Apps.MachineApi.class)
        .properties(props.toArray(String[]::new))
        .run();
  }

  HttpResponse<String> post(ConfigurableApplicationContext app, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.getEnvironment().getProperty("local.server.port")
                        + "/api/v1/runs"))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      b.header("X-AOS-Key", key);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyDecisionOverHttpIsARowOfTheNodesChain() throws Exception {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    DataSource database = postgres.getPostgresDatabase();
    try (ConfigurableApplicationContext app =
        run(key, "planeguard.audit.jdbc.enabled=true", "planeguard.audit.node=web-1")) {
      AuditLedger ledger = app.getBean(PlaneGuardSetup.class).planeguard.ledger();
      assertThat(ledger).isNotNull();
      assertThat(ledger.describe()).isEqualTo("table planeguard_audit_ledger node=web-1");
      assertThat(post(app, key.value()).statusCode()).isEqualTo(200);
      assertThat(post(app, null).statusCode()).isEqualTo(401);
      assertThat(post(app, key.value() + "x").statusCode()).isEqualTo(401);
    }
    // Closing the application wrote what was queued.
    assertThat(AuditLedger.verify(database, "web-1")).isInstanceOf(LedgerVerification.Intact.class);
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(database, "web-1", entries::add);
    assertThat(entries)
        .extracting(e -> e.text("reason"))
        .containsExactly("AUTHENTICATED", "MISSING_CREDENTIAL", "INVALID_KEY");
    assertThat(entries.get(0).location()).isEqualTo("planeguard_audit_ledger node=web-1 seq=0");
    assertThat(entries.get(0).text("key_id")).isEqualTo(key.id());
    assertThat(entries.get(0).text("method")).isEqualTo("POST");
    assertThat(entries.get(0).text("node")).isEqualTo("web-1");
    LeakCheck.create()
        .apiKey("machine key", key.value())
        .text(
            "ledger table",
            entries.stream().map(LedgerEntry::line).collect(Collectors.joining("\n")))
        .assertClean();
  }

  @Test
  void aTableWithoutANodeOrBesideALedgerFileStopsStartupNamingTheSettings() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    assertThatThrownBy(
            () ->
                run(
                        key,
                        "planeguard.audit.jdbc.enabled=true",
                        "planeguard.audit.ledger=" + dir.resolve("ledger.jsonl"))
                    .close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            "both a ledger file (planeguard.audit.ledger) and the ledger table"
                + " (planeguard.audit.jdbc.enabled) are configured")
        .hasMessageContaining(
            "set planeguard.audit.node to a name unique to this process that stays the same"
                + " across its restarts, such as the host or pod name (${HOSTNAME})");
  }
}
