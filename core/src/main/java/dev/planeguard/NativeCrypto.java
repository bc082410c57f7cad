package dev.planeguard;

import java.security.Provider;
import org.jspecify.annotations.Nullable;

/**
 * Service interface of a native JCA provider for human-plane signature verification, implemented by
 * the {@code planeguard-crypto-native} module and found with {@link java.util.ServiceLoader} when
 * {@link HumanCrypto#NATIVE} is asked for. Core never depends on an implementation.
 *
 * <p>The provider is handed to Nimbus's verifiers only ({@code JCAContext.setProvider}); planeguard
 * never installs it with {@code Security.addProvider}, so the rest of the application keeps the
 * JDK's providers.
 */
public interface NativeCrypto {

  /**
   * Why the provider cannot be used on this platform (its native library is missing or fails to
   * load, with the underlying cause), or {@code null} if it can. Asked once, when a verifier is
   * built.
   */
  @Nullable String unavailableReason();

  /**
   * The provider, ready to use. Called only after {@link #unavailableReason()} returned {@code
   * null}.
   */
  Provider provider();

  /** The provider's name and version, for the startup log: {@code Conscrypt 2.9.0}. */
  String description();
}
