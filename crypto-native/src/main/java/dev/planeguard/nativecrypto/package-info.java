/**
 * The {@link dev.planeguard.NativeCrypto} service of {@code planeguard-crypto-native}: Conscrypt's
 * JCA provider, handed by core to Nimbus's signature verifiers only.
 */
@NullMarked
package dev.planeguard.nativecrypto;

import org.jspecify.annotations.NullMarked;
