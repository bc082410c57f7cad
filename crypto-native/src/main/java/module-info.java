/**
 * Optional native signature verification for planeguard's human plane: Conscrypt's provider
 * (BoringSSL), offered to core through the {@link dev.planeguard.NativeCrypto} service and used
 * only when enabled. Exports nothing.
 */
module dev.planeguard.nativecrypto {
  requires dev.planeguard.core;
  requires org.conscrypt;
  requires static org.jspecify;

  provides dev.planeguard.NativeCrypto with
      dev.planeguard.nativecrypto.ConscryptCrypto;
}
