package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditLedger;
import dev.planeguard.LedgerEntry;
import dev.planeguard.LedgerVerification;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.spring.apps.Apps;
import dev.planeguard.testing.Await;
import dev.planeguard.testing.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The audit ledger in a real application on real Tomcat: every decision over HTTP becomes an entry,
 * and in prod a ledger that cannot write refuses allowed requests with 503 until it can again.
 */
class AuditLedgerHttpTest {

  @TempDir Path dir;
  final HttpClient client = HttpClient.newHttpClient();

  private ConfigurableApplicationContext run(Mode mode, ApiKey key, Path ledger, String... more) {
    Path keys = dir.resolve("keys-" + mode.id() + ".jsonl");
    try (KeyFile f = KeyFile.openOrCreate(keys)) {
      f.add(KeyRecord.of(key, "acme", Set.of("runs:write"), null));
    }
    List<String> props =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=" + mode.id(),
                "DB_AUTHORITY=" + (mode.isProductionLike() ? "neon" : "local"),
                "planeguard.machine.keys-file=" + keys,
                "planeguard.audit.ledger=" + ledger,
                "management.endpoints.web.exposure.exclude=*",
                "management.endpoints.web.discovery.enabled=false",
                "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"));
    props.addAll(List.of(more));
    return new SpringApplicationBuilder(Apps.MachineApi.class)
        .properties(props.toArray(String[]::new))
        .run();
  }

  private HttpResponse<String> post(ConfigurableApplicationContext app, String key)
      throws Exception {
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
  void everyDecisionOverHttpIsAnEntryOfAnIntactChain() throws Exception {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    Path ledger = dir.resolve("audit/ledger.jsonl");
    try (ConfigurableApplicationContext app = run(Mode.LOCAL, key, ledger)) {
      assertThat(post(app, key.value()).statusCode()).isEqualTo(200);
      assertThat(post(app, null).statusCode()).isEqualTo(401);
      assertThat(post(app, key.value() + "x").statusCode()).isEqualTo(401);
    }
    // Closing the application wrote what was queued.
    assertThat(AuditLedger.verify(ledger)).isInstanceOf(LedgerVerification.Intact.class);
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(ledger, entries::add);
    assertThat(entries)
        .extracting(e -> e.text("reason"))
        .containsExactly("AUTHENTICATED", "MISSING_CREDENTIAL", "INVALID_KEY");
    assertThat(entries.get(0).text("key_id")).isEqualTo(key.id());
    // The handler's attributes and the response, in the allow's entry.
    assertThat(entries.get(0).number("status")).isEqualTo(200L);
    assertThat(entries.get(0).number("handling_us")).isNotNull();
    assertThat(entries.get(0).line())
        .endsWith(
            ",\"attributes\":{\"purpose\":\"nightly-eval\",\"model\":\"m-1\","
                + "\"input_tokens\":12,\"success\":true}}");
    assertThat(entries.get(1).line()).doesNotContain("attributes");
    assertThat(entries.get(0).text("method")).isEqualTo("POST");
    assertThat(entries.get(0).text("path")).isEqualTo("/api/v1/runs");
    LeakCheck.create()
        .apiKey("machine key", key.value())
        .text("ledger", Files.readString(ledger))
        .assertClean();
  }

  @Test
  void inProdALedgerThatCannotWriteRefusesAllowsUntilItWritesAgain() throws Exception {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    Path ledgerDir = dir.resolve("audit");
    Path ledger = ledgerDir.resolve("ledger.jsonl");
    try (ConfigurableApplicationContext app =
        run(
            Mode.PROD,
            key,
            ledger,
            "planeguard.audit.flush-interval=10ms",
            "planeguard.audit.failure-bound=0ms")) {
      AuditLedger written = app.getBean(PlaneGuardSetup.class).planeguard.ledger();
      assertThat(written).isNotNull();
      assertThat(post(app, key.value()).statusCode()).isEqualTo(200);
      Await.until(() -> Files.exists(ledger) && size(ledger) > 0);

      // The ledger's directory is replaced by a file: nothing can be written there.
      Files.delete(ledger);
      Files.delete(ledgerDir);
      Files.writeString(ledgerDir, "not a directory");
      assertThat(post(app, key.value()).statusCode()).isEqualTo(200);
      Await.until(() -> !written.accepting());

      HttpResponse<String> refused = post(app, key.value());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(refused.body())
          .contains("\"reason\":\"AUDIT_UNAVAILABLE\"")
          .doesNotContain("created");
      // A refusal is still a refusal.
      assertThat(post(app, null).statusCode()).isEqualTo(401);

      Files.delete(ledgerDir);
      Await.until(written::accepting);
      assertThat(post(app, key.value()).statusCode()).isEqualTo(200);
    }
    // Everything queued while the ledger could not write was written when it could (the first
    // entry too, if its batch was being written when the directory went).
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(ledger, entries::add);
    List<String> reasons = entries.stream().map(e -> e.text("reason")).toList();
    assertThat(reasons.size()).isIn(4, 5);
    assertThat(reasons)
        .endsWith("AUTHENTICATED", "AUDIT_UNAVAILABLE", "MISSING_CREDENTIAL", "AUTHENTICATED");
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
