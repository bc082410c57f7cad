package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo with {@code PLANEGUARD_AUDIT_LEDGER} set: the {@code curl} commands it prints, sent as
 * printed, become entries of an intact ledger, and {@code audit usage} counts them per key.
 */
class DemoLedgerTest {

  @TempDir Path dir;

  private static final Pattern CURL = Pattern.compile("^curl -[is] (?:-X (\\w+) )?(\\S+)(.*)$");
  private static final Pattern HEADER = Pattern.compile("-H '([^:]+): ([^']*)'");

  @Test
  void thePrintedCommandsShowUpInAuditUsage() throws Exception {
    Path ledger = dir.resolve("audit/ledger.jsonl");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    ConfigurableApplicationContext app;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      app =
          DemoApplication.start(
              Map.of(
                  "AOS_MODE", "local",
                  "DB_AUTHORITY", "local",
                  "SERVER_PORT", "0",
                  "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString(),
                  "PLANEGUARD_AUDIT_LEDGER", ledger.toString()));
    } finally {
      System.setOut(original);
    }
    String usage = printed.toString(StandardCharsets.UTF_8);
    assertThat(usage)
        .contains("java -jar cli/target/planeguard-cli.jar audit verify " + ledger)
        .contains("java -jar cli/target/planeguard-cli.jar audit usage " + ledger + " --by key");
    String key = Files.readString(dir.resolve("out/demo-key")).strip();
    String keyId = dev.planeguard.keys.ApiKey.parse(key).id();

    HttpClient client = HttpClient.newHttpClient();
    List<Integer> statuses = new ArrayList<>();
    try (app) {
      for (String line : usage.lines().toList()) {
        Matcher curl = CURL.matcher(line);
        if (!curl.matches()) {
          continue;
        }
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create(curl.group(2)))
                .method(
                    curl.group(1) == null ? "GET" : curl.group(1),
                    HttpRequest.BodyPublishers.noBody());
        Matcher h = HEADER.matcher(curl.group(3));
        while (h.find()) {
          b.header(h.group(1), h.group(2));
        }
        statuses.add(client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      }
    }
    // The human call, the machine call, three mistakes, an unmapped route, a debug route and the
    // route table, as the demo prints them.
    assertThat(statuses).containsExactly(200, 201, 401, 401, 400, 404, 200, 200);

    CliRun verify = cli("audit", "verify", ledger.toString());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("intact");

    CliRun counted = cli("audit", "usage", ledger.toString(), "--by", "key");
    assertThat(counted.exit()).isZero();
    // The key's call on its own plane is allowed; on the human route and beside a token it is
    // refused, and still counted against the key.
    assertThat(counted.out()).containsPattern("(?m)^" + keyId + " +1 +2 ");
    assertThat(Files.readString(ledger)).contains("\"attributes\":{\"purpose\":\"demo-run\"");
  }

  private record CliRun(int exit, String out, String err) {}

  private static CliRun cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            args,
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
