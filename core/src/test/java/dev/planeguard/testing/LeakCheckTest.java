package dev.planeguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Mode;
import org.junit.jupiter.api.Test;

/** The harness finds what it must find, or the suite-wide leak test could never fail. */
class LeakCheckTest {

  @Test
  void findsAWholeSecretInCapturedOutputWithoutPrintingIt() throws Exception {
    String secret = FakeSecrets.strong(40);
    OutputCapture capture =
        OutputCapture.during(
            () -> {
              System.out.println("nothing here");
              System.err.println("log line with " + secret);
            });
    assertThat(capture.out()).isEqualTo("nothing here" + System.lineSeparator());
    LeakCheck check = LeakCheck.create().secret("db password", secret).output(capture);
    assertThat(check.leaks())
        .singleElement()
        .asString()
        .contains("db password")
        .contains("System.err");
    assertThatThrownBy(check::assertClean)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("db password found whole in System.err")
        .hasMessageNotContaining(secret);
  }

  @Test
  void findsAPieceOfASecretCutShortOrEscaped() {
    String secret = FakeSecrets.strong(40);
    String cut = "value=\"" + secret.substring(5, 5 + LeakCheck.PIECE) + "...(+28)\"";
    assertThat(LeakCheck.create().secret("pepper", secret).text("message", cut).leaks())
        .singleElement()
        .asString()
        .contains("pepper found in part");
    String elevenCharacters = secret.substring(0, LeakCheck.PIECE - 1);
    assertThat(
            LeakCheck.create().secret("pepper", secret).text("message", elevenCharacters).leaks())
        .isEmpty();
  }

  @Test
  void findsSecretsInExceptionCausesAndToString() {
    String key = FakeSecrets.machineKey(Mode.PROD);
    RuntimeException e =
        new IllegalStateException("wrapper", new IllegalArgumentException("bad key " + key));
    assertThat(LeakCheck.create().apiKey("key", key).throwable("startup", e).leaks())
        .anySatisfy(l -> assertThat(l).contains("IllegalArgumentException.getMessage"))
        .anySatisfy(l -> assertThat(l).contains("stack trace"));
    Object holder =
        new Object() {
          @Override
          public String toString() {
            return "Holder{" + key.substring(key.length() - 30) + "}";
          }
        };
    assertThat(LeakCheck.create().apiKey("key", key).objects(holder).leaks()).hasSize(1);
  }

  @Test
  void thePublicIdOfAKeyIsNotALeakButItsSecretPartIs() {
    String key = FakeSecrets.machineKey(Mode.PROD);
    String id = key.split("_")[3];
    assertThat(LeakCheck.create().apiKey("key", key).text("audit", "principal=" + id).leaks())
        .isEmpty();
    String secretPart = key.split("_")[4];
    assertThat(LeakCheck.create().apiKey("key", key).text("audit", secretPart).leaks()).hasSize(1);
  }

  @Test
  void aCheckThatChecksNothingFails() {
    assertThatThrownBy(() -> LeakCheck.create().text("out", "x").assertClean())
        .hasMessageContaining("checked nothing");
    assertThatThrownBy(() -> LeakCheck.create().secret("s", FakeSecrets.strong(30)).assertClean())
        .hasMessageContaining("checked nothing");
    assertThatThrownBy(() -> LeakCheck.create().secret("s", "short"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fakeProviderKeysHaveTheShapesDetectorsLookFor() {
    assertThat(FakeSecrets.anthropicKey()).startsWith("sk-ant-api03-").hasSize(108);
    assertThat(FakeSecrets.openAiKey()).startsWith("sk-proj-");
    assertThat(FakeSecrets.googleKey()).startsWith("AIza").hasSize(39);
    assertThat(FakeSecrets.githubToken()).startsWith("ghp_").hasSize(40);
    assertThat(FakeSecrets.awsAccessKeyId()).matches("AKIA[0-9A-Z]{16}");
    assertThat(FakeSecrets.anthropicKey()).isNotEqualTo(FakeSecrets.anthropicKey());
  }
}
