package dev.planeguard.nativecrypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Detail;
import dev.planeguard.HumanCrypto;
import dev.planeguard.HumanIssuer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.NativeCrypto;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.OutputCapture;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end: a {@link JwtVerifier} on native crypto, found through the service, beside one on the
 * JDK, both fed the test kit's really signed tokens and their tampered copies; and startup when the
 * native library cannot load.
 */
class NativeVerificationTest {

  static TestIssuer issuer;
  static JwtVerifier jdk;
  static JwtVerifier nat;
  @TempDir static Path keysDir;
  static Path jwks;
  @TempDir Path dir;
  final ClassLoader original = Thread.currentThread().getContextClassLoader();

  @BeforeAll
  static void start() throws IOException {
    issuer = TestIssuer.builder().issuerId("https://issuer.example.test").start();
    // The issuer's keys as a file, the RSA key without its "alg": core pins the algorithm to a
    // key's alg, and the test kit marks its RSA key RS256; unmarked, it also verifies PS256.
    List<JWK> keys = new ArrayList<>();
    for (JWK k : issuer.publicJwks().getKeys()) {
      keys.add(k instanceof RSAKey rsa ? new RSAKey.Builder(rsa).algorithm(null).build() : k);
    }
    jwks = keysDir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(keys).toString());
    jdk = verifier(HumanCrypto.JDK);
    nat = verifier(HumanCrypto.NATIVE);
  }

  static JwtVerifier verifier(HumanCrypto crypto) {
    return JwtVerifier.builder()
        .issuer(
            HumanIssuer.builder(issuer.issuerId())
                .jwksFile(jwks)
                .audiences(issuer.audience())
                .algorithms("RS256", "PS256", "ES256")
                .build())
        .executor(Runnable::run)
        .mode(Mode.PROD)
        .crypto(crypto)
        .tokenCacheSize(0)
        .build();
  }

  @AfterAll
  static void stop() {
    jdk.close();
    nat.close();
    issuer.close();
  }

  @AfterEach
  void restoreLoader() {
    Thread.currentThread().setContextClassLoader(original);
  }

  @Test
  void theServiceIsFoundAndTheProviderIsNeverInstalled() {
    assertThat(ServiceLoader.load(NativeCrypto.class).findFirst())
        .get()
        .isInstanceOf(ConscryptCrypto.class);
    assertThat(new ConscryptCrypto().unavailableReason()).isNull();
    assertThat(new ConscryptCrypto().description())
        .matches("Conscrypt \\d+\\.\\d+\\.\\d+ \\(BoringSSL\\)");
    assertThat(nat.crypto()).isEqualTo(HumanCrypto.NATIVE);
    assertThat(jdk.crypto()).isEqualTo(HumanCrypto.JDK);
    assertThat(Security.getProviders()).extracting(Provider::getName).doesNotContain("Conscrypt");
  }

  static Stream<Arguments> tokens() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256)) {
      b.add(Arguments.of(alg, "signed", null, op(t -> t)));
      b.add(Arguments.of(alg, "signature bit flipped", Detail.BAD_SIGNATURE, op(t -> flipLast(t))));
      b.add(
          Arguments.of(
              alg,
              "payload of another token",
              Detail.BAD_SIGNATURE,
              op(t -> withPayloadOf(t, issuer.token().subject("admin").algorithm(alg).sign()))));
      b.add(
          Arguments.of(
              alg,
              "signature of another token",
              Detail.BAD_SIGNATURE,
              op(t -> withSignatureOf(t, issuer.token().subject("other").algorithm(alg).sign()))));
      b.add(
          Arguments.of(
              alg,
              "signature removed",
              Detail.MALFORMED,
              op(t -> t.substring(0, t.lastIndexOf('.') + 1))));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("tokens")
  void nativeAnswersAsTheJdkDoes(
      JWSAlgorithm alg, String what, @Nullable Detail expected, UnaryOperator<String> tamper) {
    String token = tamper.apply(issuer.token().algorithm(alg).sign());
    Verification v = nat.verify(token);
    assertThat(v).isEqualTo(jdk.verify(token));
    if (expected == null) {
      assertThat(v)
          .isInstanceOfSatisfying(
              Verification.Verified.class,
              ok ->
                  assertThat(((HumanPrincipal) ok.principal()).subject())
                      .isEqualTo(TestIssuer.DEFAULT_SUBJECT));
    } else {
      assertThat(v).isEqualTo(new Verification.Rejected(Reason.INVALID_TOKEN, expected));
    }
  }

  @Test
  void aKeyOfTheWrongTypeIsRefusedAlike() {
    String es = issuer.token().algorithm(JWSAlgorithm.ES256).sign();
    String lying =
        issuer.token().algorithm(JWSAlgorithm.ES256).kid(issuer.currentKid(KeyType.RSA)).sign();
    assertThat(nat.verify(es)).isInstanceOf(Verification.Verified.class);
    assertThat(nat.verify(lying))
        .isEqualTo(jdk.verify(lying))
        .isEqualTo(new Verification.Rejected(Reason.INVALID_TOKEN, Detail.BAD_SIGNATURE));
  }

  // ---- startup through the assembly ----

  @Test
  void theAssemblyUsesNativeInProduction() throws Exception {
    try (PlaneGuard pg = PlaneGuard.assemble(settings("prod").humanCrypto("native").build())) {
      assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.NATIVE);
      String token = issuer.token().algorithm(JWSAlgorithm.ES256).sign();
      assertThat(
              pg.enforcer()
                  .decide(
                      InboundRequest.of(
                          "GET",
                          "/api/v1/accounts/me",
                          Map.of("Authorization", List.of("Bearer " + token))))
                  .reason())
          .isEqualTo(Reason.AUTHENTICATED);
    }
  }

  @Test
  void aLibraryThatCannotLoadStopsProductionWithPlatformAndCause() throws Exception {
    offer(Unloadable.class);
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                PlaneGuard.assemble(
                    settings("prod")
                        .naming(PlaneGuardSettings.Naming.ENVIRONMENT)
                        .humanCrypto("native")
                        .build()));
    String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    assertThat(e.problems())
        .containsExactly(
            new Problem(
                "PLANEGUARD_HUMAN_CRYPTO",
                "native signature verification is asked for, but the native library of "
                    + new ConscryptCrypto().description()
                    + " cannot be used: java.lang.UnsatisfiedLinkError: no"
                    + " conscrypt_openjdk_jni-linux-riscv64 in java.library.path (platform "
                    + platform
                    + "); AOS_MODE=prod does not fall back to the JDK",
                "run on a platform the native provider supports (see docs/crypto-native.md), with"
                    + " a temporary directory (java.io.tmpdir) that allows loading libraries, or set"
                    + " PLANEGUARD_HUMAN_CRYPTO to jdk"));
  }

  @Test
  void aLibraryThatCannotLoadInLocalWarnsOnceAndTheJdkVerifies() throws Exception {
    offer(Unloadable.class);
    OutputCapture log =
        OutputCapture.during(
            () -> {
              try (PlaneGuard pg =
                  PlaneGuard.assemble(settings("local").humanCrypto("native").build())) {
                assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.JDK);
                assertThat(pg.jwtVerifier().verify(issuer.token().sign()))
                    .isInstanceOf(Verification.Verified.class);
              }
            });
    assertThat(log.err())
        .containsOnlyOnce("native signature verification is asked for")
        .contains("WARN planeguard")
        .contains("the JDK verifies signatures instead in AOS_MODE=local");
  }

  /** The real service, on a platform whose library cannot load (simulated by its own check). */
  public static final class Unloadable implements NativeCrypto {
    private final ConscryptCrypto real =
        new ConscryptCrypto(
            () -> {
              throw new UnsatisfiedLinkError(
                  "no conscrypt_openjdk_jni-linux-riscv64 in java.library.path");
            });

    @Override
    public @Nullable String unavailableReason() {
      return real.unavailableReason();
    }

    @Override
    public Provider provider() {
      throw new AssertionError("asked for an unavailable provider");
    }

    @Override
    public String description() {
      return real.description();
    }
  }

  /** Offers {@code implementation} as the service of the context class loader, found first. */
  void offer(Class<? extends NativeCrypto> implementation) throws IOException {
    Path services = dir.resolve("services");
    Files.writeString(services, implementation.getName() + "\n");
    URL url = services.toUri().toURL();
    String resource = "META-INF/services/" + NativeCrypto.class.getName();
    Thread.currentThread()
        .setContextClassLoader(
            new ClassLoader(original) {
              @Override
              public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(resource)
                    ? Collections.enumeration(List.of(url))
                    : super.getResources(name);
              }
            });
  }

  PlaneGuardSettings.Builder settings(String mode) {
    return PlaneGuardSettings.builder()
        .environment(
            Map.of("AOS_MODE", mode, "DB_AUTHORITY", mode.equals("local") ? "local" : "neon"))
        .policyLocation("test.policy", "human /api/v1/accounts/**\n", false)
        .issuer(
            PlaneGuardSettings.Issuer.of(issuer.issuerId())
                .withJwks(jwks.toString())
                .withAudiences(List.of(issuer.audience())));
  }

  static UnaryOperator<String> op(UnaryOperator<String> op) {
    return op;
  }

  static String flipLast(String token) {
    char last = token.charAt(token.length() - 2);
    char other = last == 'A' ? 'B' : 'A';
    return token.substring(0, token.length() - 2) + other + token.charAt(token.length() - 1);
  }

  static String withPayloadOf(String token, String other) {
    String[] t = token.split("\\.");
    String[] o = other.split("\\.");
    return t[0] + "." + o[1] + "." + t[2];
  }

  static String withSignatureOf(String token, String other) {
    String[] t = token.split("\\.");
    String[] o = other.split("\\.");
    return t[0] + "." + t[1] + "." + o[2];
  }
}
