package dev.planeguard.nativecrypto;

import dev.planeguard.NativeCrypto;
import java.security.Provider;
import org.conscrypt.Conscrypt;
import org.jspecify.annotations.Nullable;

/**
 * Conscrypt (BoringSSL) as planeguard's native signature provider. Found by core with {@link
 * java.util.ServiceLoader}; applications never call it. Each provider it returns is a new instance
 * that nothing installs with {@code Security.addProvider}: only the verifiers core gives it to use
 * it.
 */
public final class ConscryptCrypto implements NativeCrypto {

  private final Runnable availability;

  /** The service, as {@link java.util.ServiceLoader} creates it. */
  public ConscryptCrypto() {
    this(Conscrypt::checkAvailability);
  }

  /**
   * With another availability check (tests simulate a platform whose library cannot load).
   *
   * @param availability throws the error that keeps the native library from loading
   */
  ConscryptCrypto(Runnable availability) {
    this.availability = availability;
  }

  /**
   * {@code null} when Conscrypt's native library is loaded; otherwise the error that kept it from
   * loading (no library for this platform, a {@code java.io.tmpdir} that forbids executables, a
   * missing system library), class and message.
   */
  @Override
  public @Nullable String unavailableReason() {
    try {
      availability.run();
      return null;
    } catch (LinkageError | RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String message = cause.getMessage();
      return cause.getClass().getName() + (message == null ? "" : ": " + message);
    }
  }

  /** A new Conscrypt provider, not installed anywhere. */
  @Override
  public Provider provider() {
    return Conscrypt.newProvider();
  }

  /** {@code Conscrypt 2.9.0 (BoringSSL)}. */
  @Override
  public String description() {
    Conscrypt.Version v = Conscrypt.version();
    return v == null
        ? "Conscrypt (BoringSSL)"
        : "Conscrypt " + v.major() + "." + v.minor() + "." + v.patch() + " (BoringSSL)";
  }

  @Override
  public String toString() {
    return description();
  }
}
