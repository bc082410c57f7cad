package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.testing.FakeSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretPatternsTest {

  @Test
  void providerKeysAreRecognisedByShapeAndNamedByKind() {
    assertThat(SecretPatterns.providerKeyKind(FakeSecrets.anthropicKey()))
        .isEqualTo("Anthropic API key");
    assertThat(SecretPatterns.providerKeyKind(FakeSecrets.openAiKey()))
        .isEqualTo("OpenAI-style API key");
    assertThat(SecretPatterns.providerKeyKind(FakeSecrets.googleKey())).isEqualTo("Google API key");
    assertThat(SecretPatterns.providerKeyKind(FakeSecrets.githubToken())).isEqualTo("GitHub token");
    assertThat(SecretPatterns.providerKeyKind(FakeSecrets.awsAccessKeyId()))
        .isEqualTo("AWS access key id");
    assertThat(SecretPatterns.providerKeyKind("Bearer " + FakeSecrets.anthropicKey() + " trailing"))
        .isEqualTo("Anthropic API key");
    assertThat(
            SecretPatterns.providerKeyKind(
                "https://x.googleapis.com/v1?key=" + FakeSecrets.googleKey()))
        .isEqualTo("Google API key");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sk-xxxxx",
        "sk-ant-xxxxx",
        "task-abcdefghijklmnopqrstuvwxyz",
        "disk-0123456789012345678901234",
        "http://ollama:11434",
        "gemma_embed_local",
        "AKIAshort",
        "XAKIA0123456789ABCDEF",
        "ghp_tooShort",
        "",
      })
  void lookalikesAreNotProviderKeys(String value) {
    assertThat(SecretPatterns.providerKeyKind(value)).isNull();
  }

  @Test
  void planeguardKeysAreRecognisedInsideText() {
    String key = FakeSecrets.machineKey(Mode.PROD);
    assertThat(SecretPatterns.containsPlaneguardKey(key)).isTrue();
    assertThat(SecretPatterns.containsPlaneguardKey("x " + key + " y")).isTrue();
    assertThat(SecretPatterns.containsPlaneguardKey(key.substring(0, key.length() - 1))).isFalse();
    assertThat(SecretPatterns.containsPlaneguardKey("aos_mk_prod_...")).isFalse();
  }

  @Test
  void urlsWithAPasswordAreCredentials() {
    assertThat(SecretPatterns.hasUrlCredentials("postgres://app:s3cret@db:5432/app")).isTrue();
    assertThat(SecretPatterns.hasUrlCredentials("redis://:s3cret@cache:6379/0")).isTrue();
    assertThat(SecretPatterns.hasUrlCredentials("postgres://app@db:5432/app")).isFalse();
    assertThat(SecretPatterns.hasUrlCredentials("http://tensorzero:3000")).isFalse();
    assertThat(SecretPatterns.hasUrlCredentials("https://example.com/a:b@c")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "change_me_in_production",
        "CHANGE-ME",
        "changeme",
        "changeit",
        "xxxxx",
        "sk-xxxxx",
        "sk-ant-xxxxx",
        "<your-strong-password-here>",
        "<same-password-as-above>",
        "<your-key>",
        "your_api_key_here",
        "eyJhbGci...",
        "password",
        "Secret",
        "********************",
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "replace-me-please",
        " ",
        "sk-...xxxx",
        "sk-ant-...",
        "TODO",
        "todo: ask ops",
        "FIXME-later",
        "prefix-<your-token>",
        "postgres://app:changeme@db/app",
        "postgres://app:password@db/app",
        "postgres://app:<password>@db/app",
        "redis://:xxx@cache:6379",
      })
  void placeholdersAreRecognised(String value) {
    assertThat(SecretPatterns.isPlaceholder(value)).isTrue();
  }

  @Test
  void randomSecretsAreNotPlaceholders() {
    for (int i = 0; i < 200; i++) {
      assertThat(SecretPatterns.isPlaceholder(FakeSecrets.strong(32))).isFalse();
    }
    assertThat(SecretPatterns.isPlaceholder("correct horse battery staple")).isFalse();
    assertThat(SecretPatterns.isPlaceholder("postgres://app:" + FakeSecrets.strong(24) + "@db/app"))
        .isFalse();
  }

  @Test
  void redactionReplacesEveryKeyShapeAndLeavesOtherTextAlone() {
    String anthropic = FakeSecrets.anthropicKey();
    String aws = FakeSecrets.awsAccessKeyId();
    String key = FakeSecrets.machineKey(Mode.PROD);
    String text = "/api/v1/runs/" + anthropic + "/x?" + aws + "&k=" + key;
    assertThat(Redaction.redact(text))
        .isEqualTo("/api/v1/runs/<provider-key>/x?<provider-key>&k=<key>");
    assertThat(Redaction.redact("/api/v1/accounts/me")).isEqualTo("/api/v1/accounts/me");
    assertThat(Redaction.redact("/a/task-abcdefghijklmnopqrstuvwxyz0123"))
        .isEqualTo("/a/task-abcdefghijklmnopqrstuvwxyz0123");
  }

  @Test
  void quotedValuesInMessagesAreRedactedBeforeTheyAreCut() {
    String anthropic = FakeSecrets.anthropicKey();
    assertThat(Text.quote(anthropic, 16)).isEqualTo("\"<provider-key>\"");
    assertThat(Text.quote("plane=" + anthropic, 16)).doesNotContain(anthropic.substring(7, 16));
  }
}
