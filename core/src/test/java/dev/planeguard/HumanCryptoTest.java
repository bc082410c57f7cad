package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.planeguard.testing.OutputCapture;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link HumanCrypto}: the setting, read once by the assembly; the native provider found through
 * the {@link NativeCrypto} service, failing startup in preprod and prod when it is absent or cannot
 * load, falling back to the JDK with one warning in local and test. Core's test class path has no
 * implementation (the module is absent); the others are offered through the thread's context class
 * loader, as an application server's loader would.
 */
class HumanCryptoTest {

  static final String ISS = "https://issuer.example.com";
  static final String PLATFORM =
      System.getProperty("os.name") + "/" + System.getProperty("os.arch");

  static RSAKey key;
  @TempDir Path dir;
  final ClassLoader original = Thread.currentThread().getContextClassLoader();

  @BeforeAll
  static void keys() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
  }

  @AfterEach
  void restoreLoader() {
    Thread.currentThread().setContextClassLoader(original);
  }

  // ---- the setting ----

  @Test
  void theSettingIsJdkOrNativeInAnyCasing() {
    assertThat(HumanCrypto.parse(" Native ")).isEqualTo(HumanCrypto.NATIVE);
    assertThat(HumanCrypto.parse("JDK")).isEqualTo(HumanCrypto.JDK);
    assertThat(HumanCrypto.parse("conscrypt")).isNull();
    assertThat(HumanCrypto.parse(null)).isNull();
    assertThat(HumanCrypto.NATIVE).hasToString("native");
  }

  @ParameterizedTest
  @EnumSource(PlaneGuardSettings.Naming.class)
  void aWrongValueIsOneProblemNamedAsTheAdaptersUserKnowsIt(PlaneGuardSettings.Naming naming)
      throws Exception {
    List<Problem> problems =
        problems(settings(env("local")).naming(naming).humanCrypto("fast").build());
    String name =
        switch (naming) {
          case PROPERTIES -> "planeguard.human.crypto";
          case ENVIRONMENT -> "PLANEGUARD_HUMAN_CRYPTO";
          case COMMAND_LINE -> "--crypto";
        };
    assertThat(problems)
        .containsExactly(
            new Problem(
                name,
                "must be jdk or native, not \"fast\"",
                "set "
                    + name
                    + " to native (needs the planeguard-crypto-native module) or jdk, or unset it"
                    + " (the JDK verifies signatures by default)"));
  }

  @Test
  void theVariableCountsForEveryAdapterUnlessTheAdaptersOwnSettingIsGiven() throws Exception {
    Map<String, String> env = env("prod");
    env.put("PLANEGUARD_HUMAN_CRYPTO", "native");
    // Spring properties naming, the value from the environment: the problem names the variable.
    assertThat(problems(settings(env).build()))
        .extracting(Problem::subject)
        .containsExactly("PLANEGUARD_HUMAN_CRYPTO");
    // The adapter's own setting wins over the variable.
    try (PlaneGuard pg = PlaneGuard.assemble(settings(env).humanCrypto(HumanCrypto.JDK).build())) {
      assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.JDK);
    }
  }

  @Test
  void unsetItIsTheJdk() throws Exception {
    try (PlaneGuard pg = PlaneGuard.assemble(settings(env("prod")).build())) {
      assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.JDK);
    }
  }

  // ---- the module absent ----

  @Test
  void absentModuleStopsProductionWithTheFix() throws Exception {
    List<Problem> problems =
        problems(settings(env("prod")).humanCrypto("native").naming(naming()).build());
    assertThat(problems)
        .containsExactly(
            new Problem(
                "planeguard.human.crypto",
                "native signature verification is asked for, but the module"
                    + " planeguard-crypto-native is not on the class path (platform "
                    + PLATFORM
                    + "); AOS_MODE=prod does not fall back to the JDK",
                "add the dependency dev.planeguard:planeguard-crypto-native to the application, or"
                    + " set planeguard.human.crypto to jdk"));
  }

  @Test
  void absentModuleStopsAVerifierWithoutAMode() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> verifierBuilder().crypto(HumanCrypto.NATIVE).build());
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("JwtVerifier.Builder.crypto");
              assertThat(p.message())
                  .endsWith("; a verifier without a mode does not fall back to the JDK");
            });
  }

  @Test
  void absentModuleInLocalWarnsOnceAndTheJdkVerifies() throws Exception {
    Map<String, String> env = env("local");
    env.put("PLANEGUARD_HUMAN_CRYPTO", "native");
    String[] decided = new String[1];
    OutputCapture log =
        OutputCapture.during(
            () -> {
              try (PlaneGuard pg = PlaneGuard.assemble(settings(env).build())) {
                assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.JDK);
                decided[0] = pg.jwtVerifier().verify(token()).getClass().getSimpleName();
              }
            });
    assertThat(decided[0]).isEqualTo("Verified");
    String warning =
        "WARN planeguard - planeguard: native signature verification is asked for, but the module"
            + " planeguard-crypto-native is not on the class path (platform "
            + PLATFORM
            + "); the JDK verifies signatures instead in AOS_MODE=local, and in preprod and prod"
            + " this stops startup (add the dependency dev.planeguard:planeguard-crypto-native to"
            + " the application, or set PLANEGUARD_HUMAN_CRYPTO to jdk)";
    assertThat(log.err()).contains(warning);
    assertThat(log.err().split(java.util.regex.Pattern.quote("native signature verification"), -1))
        .hasSize(2);
  }

  // ---- the module present, its library unusable here ----

  @Test
  void aLibraryThatCannotLoadStopsPreprodNamingPlatformAndCause() throws Exception {
    offer(Unloadable.class);
    List<Problem> problems =
        problems(settings(env("preprod")).humanCrypto("native").naming(naming()).build());
    assertThat(problems)
        .containsExactly(
            new Problem(
                "planeguard.human.crypto",
                "native signature verification is asked for, but the native library of Test"
                    + " provider 1.0 cannot be used: no libtest_jni for this platform (platform "
                    + PLATFORM
                    + "); AOS_MODE=preprod does not fall back to the JDK",
                "run on a platform the native provider supports (see docs/crypto-native.md), with"
                    + " a temporary directory (java.io.tmpdir) that allows loading libraries, or set"
                    + " planeguard.human.crypto to jdk"));
  }

  @Test
  void aLibraryThatCannotLoadInTestWarnsAndTheJdkVerifies() throws Exception {
    offer(Unloadable.class);
    Map<String, String> env = env("test");
    OutputCapture log =
        OutputCapture.during(
            () -> {
              try (PlaneGuard pg =
                  PlaneGuard.assemble(
                      settings(env)
                          .naming(PlaneGuardSettings.Naming.COMMAND_LINE)
                          .humanCrypto("native")
                          .build())) {
                assertThat(pg.jwtVerifier().crypto()).isEqualTo(HumanCrypto.JDK);
                assertThat(pg.jwtVerifier().verify(token()))
                    .isInstanceOf(Verification.Verified.class);
              }
            });
    assertThat(log.err())
        .contains(
            "cannot be used: no libtest_jni for this platform (platform "
                + PLATFORM
                + "); the JDK verifies signatures instead in AOS_MODE=test")
        .contains("or set --crypto to jdk)");
  }

  // ---- the module present and usable ----

  @Test
  void anAvailableProviderVerifiesEverySignatureAndIsNeverInstalled() throws Exception {
    offer(Counting.class);
    Counting.CALLS.set(0);
    Path jwks = jwksFile();
    try (JwtVerifier v = verifierBuilder(jwks).mode(Mode.PROD).crypto(HumanCrypto.NATIVE).build()) {
      assertThat(v.crypto()).isEqualTo(HumanCrypto.NATIVE);
      assertThat(v.verify(token())).isInstanceOf(Verification.Verified.class);
      assertThat(Counting.CALLS.get()).isEqualTo(1);
      assertThat(v.verify(token("other-subject"))).isInstanceOf(Verification.Verified.class);
      assertThat(Counting.CALLS.get()).isEqualTo(2);
      String tampered = token().substring(0, token().length() - 4) + "AAAA";
      assertThat(v.verify(tampered))
          .isEqualTo(Verification.rejected(Reason.INVALID_TOKEN, Detail.BAD_SIGNATURE));
      assertThat(Counting.CALLS.get()).isEqualTo(3);
    }
    assertThat(Security.getProvider("PlaneguardCounting")).isNull();
    assertThat(Security.getProviders())
        .extracting(Provider::getName)
        .doesNotContain("PlaneguardCounting");
  }

  // ---- fixtures ----

  /** A module whose native library cannot load here. */
  public static final class Unloadable implements NativeCrypto {
    @Override
    public @Nullable String unavailableReason() {
      return "no libtest_jni for this platform";
    }

    @Override
    public Provider provider() {
      throw new AssertionError("asked for an unavailable provider");
    }

    @Override
    public String description() {
      return "Test provider 1.0";
    }
  }

  /**
   * The JDK's RSA signatures and key factory behind a provider that counts each signature object
   * made.
   */
  public static final class Counting implements NativeCrypto {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public @Nullable String unavailableReason() {
      return null;
    }

    @Override
    public Provider provider() {
      Provider jdk = Security.getProvider("SunRsaSign");
      return new Provider("PlaneguardCounting", "1.0", "counts, then delegates to SunRsaSign") {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized @Nullable Service getService(String type, String algorithm) {
          if (type.equals("Signature")) {
            CALLS.incrementAndGet();
          }
          return jdk.getService(type, algorithm);
        }
      };
    }

    @Override
    public String description() {
      return "Counting 1.0";
    }
  }

  /** Offers {@code implementation} as the NativeCrypto service of the context class loader. */
  void offer(Class<? extends NativeCrypto> implementation) throws IOException {
    Path services = dir.resolve("services-" + implementation.getSimpleName());
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

  static PlaneGuardSettings.Naming naming() {
    return PlaneGuardSettings.Naming.PROPERTIES;
  }

  Map<String, String> env(String mode) {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    return env;
  }

  PlaneGuardSettings.Builder settings(Map<String, String> env) throws Exception {
    return PlaneGuardSettings.builder()
        .environment(env)
        .policyLocation("test.policy", "human /api/v1/accounts/**\n", false)
        .issuer(
            PlaneGuardSettings.Issuer.of(ISS)
                .withJwks(jwksFile().toString())
                .withAudiences(List.of("api")));
  }

  Path jwksFile() throws IOException {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JWKSet(key.toPublicJWK()).toString());
    return file;
  }

  JwtVerifier.Builder verifierBuilder() throws IOException {
    return verifierBuilder(jwksFile());
  }

  JwtVerifier.Builder verifierBuilder(Path jwks) {
    return JwtVerifier.builder()
        .issuer(HumanIssuer.builder(ISS).jwksFile(jwks).audiences("api").build())
        .executor(Runnable::run);
  }

  static String token() throws Exception {
    return token("user-1");
  }

  static String token(String subject) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT).build(),
            new JWTClaimsSet.Builder()
                .issuer(ISS)
                .subject(subject)
                .audience("api")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static List<Problem> problems(PlaneGuardSettings settings) {
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> PlaneGuard.assemble(settings));
    assertThat(e).as("assembly must fail").isNotNull();
    return e.problems();
  }
}
