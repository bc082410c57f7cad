package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import org.junit.jupiter.api.Test;

/** Keys in text bound for a log are removed, including damaged ones. */
class RedactionTest {

  @Test
  void keysWholeDamagedOrCutAreRedactedToTheEndOfTheirSegment() {
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    String secret = key.split("_")[4];
    for (String damaged :
        new String[] {
          key,
          key.substring(0, 60),
          key.substring(0, 40) + "\u00e4" + key.substring(41),
          "x" + key.replace("aos", "\u00e4os"),
          key.replace("_", "%5F"),
          key.replace("_", "%5f"),
          key + "AAAA",
          ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL).value()
        }) {
      String out = Redaction.redact("/api/v1/runs/" + damaged + "/events");
      assertThat(out)
          .as(damaged)
          .startsWith("/api/v1/runs/")
          .endsWith("<key>/events")
          .doesNotContain(secret);
    }
    assertThat(
            Redaction.redact("/a/" + key.substring(0, 1024 > key.length() ? key.length() - 5 : 0)))
        .isEqualTo("/a/<key>");
  }

  @Test
  void aKeyInsideAQuotedValueKeepsTheQuotes() {
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    assertThat(Redaction.redact("header=\"" + key.substring(0, 70) + "\" next=1"))
        .isEqualTo("header=\"<key>\" next=1");
    assertThat(Redaction.redact("a " + key + ", b " + key + ";")).isEqualTo("a <key>, b <key>;");
  }

  @Test
  void ordinaryPathsStayReadable() {
    assertThat(Redaction.redact("/api/v1/task_mk_list/7")).isEqualTo("/api/v1/task_mk_list/7");
    assertThat(Redaction.redact("/api/v1/runs/42")).isEqualTo("/api/v1/runs/42");
    assertThat(Redaction.redact("/x/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig/y"))
        .isEqualTo("/x/<jwt>/y");
  }
}
