package dev.planeguard.testing;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Fake secrets made at test time, shaped like real ones where a detector needs the shape. They are
 * random, so no two runs share one and none is ever committed: a committed string shaped like a
 * provider key would trip secret scanners, and a fixed one could be mistaken for a real key.
 */
public final class FakeSecrets {

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String BASE64URL = BASE62 + "-_";
  private static final String UPPER_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final RandomGenerator RANDOM = new SecureRandom();

  private FakeSecrets() {}

  /** {@code sk-ant-api03-} and 95 random characters, like an Anthropic API key. */
  public static String anthropicKey() {
    return "sk-ant-api03-" + random(BASE64URL, 95);
  }

  /** {@code sk-proj-} and 64 random characters, like an OpenAI project key. */
  public static String openAiKey() {
    return "sk-proj-" + random(BASE64URL, 64);
  }

  /** {@code AIza} and 35 random characters, like a Google API key. */
  public static String googleKey() {
    return "AIza" + random(BASE64URL, 35);
  }

  /** {@code ghp_} and 36 random characters, like a GitHub personal access token. */
  public static String githubToken() {
    return "ghp_" + random(BASE62, 36);
  }

  /** {@code AKIA} and 16 random characters, like an AWS access key id. */
  public static String awsAccessKeyId() {
    return "AKIA" + random(UPPER_DIGITS, 16);
  }

  /** A real, freshly generated planeguard machine key for {@code mode}. */
  public static String machineKey(Mode mode) {
    return ApiKey.generate(ApiKey.Kind.MACHINE, mode).value();
  }

  /** A strong random secret of {@code length} base62 characters. */
  public static String strong(int length) {
    return random(BASE62, length);
  }

  private static String random(String alphabet, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
