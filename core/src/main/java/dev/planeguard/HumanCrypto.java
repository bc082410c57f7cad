package dev.planeguard;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which cryptography verifies the signatures of human-plane tokens: the JDK's own providers (the
 * default), or the native provider of the {@code planeguard-crypto-native} module. HMAC signatures
 * always use the JDK.
 *
 * <p>{@link #NATIVE} when the module is absent, or when its native library cannot be loaded on this
 * platform, stops startup in preprod and prod (and for a verifier without a mode); in local and
 * test the JDK verifies instead, after one warning. The native provider is given to Nimbus's
 * verifiers only, never installed for the whole JVM.
 */
public enum HumanCrypto {
  /** The JDK's providers (SunRsaSign, SunEC). */
  JDK,
  /** The native provider of {@code planeguard-crypto-native}. */
  NATIVE;

  /**
   * The value as a setting writes it ({@code jdk}, {@code native}, any casing, surrounding spaces
   * ignored), or {@code null} if it is neither.
   */
  public static @Nullable HumanCrypto parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "jdk" -> JDK;
      case "native" -> NATIVE;
      default -> null;
    };
  }

  /** {@code jdk} or {@code native}, as settings write it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
