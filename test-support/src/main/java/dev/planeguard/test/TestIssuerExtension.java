package dev.planeguard.test;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link TestIssuer} (and, when asked for, one {@link TestKeys} file) per
 * test class, started before the class's first test and closed after its last. Test methods,
 * lifecycle methods and constructors may declare {@link TestIssuer} and {@link TestKeys}
 * parameters.
 * <!-- example: TestIssuerExtension.using -->
 *
 * <pre>{@code
 * class AccountsApiTest {
 *
 *   @RegisterExtension
 *   static final TestIssuerExtension PLANEGUARD =
 *       TestIssuerExtension.using(TestIssuer.builder().audience("accounts-api"));
 *
 *   static MyApp app;
 *
 *   @BeforeAll
 *   static void startApp() {
 *     app = MyApp.start(Map.of(
 *         "AOS_MODE", "test",
 *         "PLANEGUARD_HUMAN_ISSUER", PLANEGUARD.issuer().issuerId(),
 *         "PLANEGUARD_HUMAN_JWKS_URI", PLANEGUARD.issuer().jwksUri().toString(),
 *         "PLANEGUARD_HUMAN_AUDIENCES", "accounts-api",
 *         "PLANEGUARD_MACHINE_KEYS_FILE", PLANEGUARD.keys().file().toString()));
 *   }
 *
 *   @Test
 *   void expiredTokensAreRefused(TestIssuer issuer) {
 *     String token = issuer.token().expiresIn(Duration.ofMinutes(-10)).sign();
 *     // assert 401 INVALID_TOKEN
 *   }
 *
 *   @Test
 *   void theServiceSurvivesAnIssuerOutage(TestIssuer issuer) {
 *     issuer.takeDown();     // brought back up automatically before the next test
 *   }
 * }
 * }</pre>
 *
 * <p>Before each test the extension undoes the previous test's faults: it brings the issuer back up
 * if it was taken down, ends JWKS faults ({@link TestIssuer#restoreJwks()}) and resets request
 * counts. Keys, rotations and minted machine keys persist for the whole class. Tests of one class
 * that inject faults must not run concurrently with each other.
 *
 * <p>Registered on a static field or with {@link WithTestIssuer}, the issuer lives for the class
 * (and its {@code @Nested} classes); registered on an instance field, for each test.
 */
public final class TestIssuerExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  private final TestIssuer.Builder settings;

  // Guarded by this.
  private @Nullable TestIssuer issuer;
  private @Nullable TestKeys keys;
  private @Nullable String owner;

  /** An extension with the default issuer settings; used by {@link WithTestIssuer}. */
  public TestIssuerExtension() {
    this(TestIssuer.builder());
  }

  private TestIssuerExtension(TestIssuer.Builder settings) {
    this.settings = settings;
  }

  /** An extension with the default issuer settings. */
  public static TestIssuerExtension create() {
    return new TestIssuerExtension();
  }

  /**
   * An extension whose issuer is started from {@code settings}. The builder is used when the test
   * class starts; do not change it afterwards.
   */
  public static TestIssuerExtension using(TestIssuer.Builder settings) {
    return new TestIssuerExtension(requireNonNull(settings, "settings"));
  }

  /**
   * The running issuer.
   *
   * @throws IllegalStateException outside the test class's lifetime (for example from a static
   *     initialiser)
   */
  public synchronized TestIssuer issuer() {
    TestIssuer i = issuer;
    if (i == null) {
      throw new IllegalStateException(
          "the test issuer starts before the test class's first test and stops after its last;"
              + " use it from @BeforeAll, a test or a parameter");
    }
    return i;
  }

  /**
   * The class's key file, created empty on first use and deleted with the issuer.
   *
   * @throws IllegalStateException outside the test class's lifetime
   */
  public synchronized TestKeys keys() {
    issuer();
    TestKeys k = keys;
    if (k == null) {
      k = TestKeys.inTemporaryFile();
      keys = k;
    }
    return k;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startIfNeeded(context);
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (issuer == null) {
      startIfNeeded(context); // registered on an instance field: one issuer per test
      return;
    }
    TestIssuer i = issuer;
    if (!i.running()) {
      i.bringUp();
    }
    i.restoreJwks();
    i.resetRequestCounts();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stopIfOwner(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stopIfOwner(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestIssuer.class || type == TestKeys.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    startIfNeeded(
        context); // a constructor parameter of a per-test instance comes before beforeEach
    return parameter.getParameter().getType() == TestKeys.class ? keys() : issuer();
  }

  private synchronized void startIfNeeded(ExtensionContext context) {
    if (issuer != null) {
      return;
    }
    issuer = settings.start();
    owner = context.getUniqueId();
  }

  private void stopIfOwner(ExtensionContext context) {
    TestIssuer i;
    TestKeys k;
    synchronized (this) {
      if (issuer == null || !context.getUniqueId().equals(owner)) {
        return;
      }
      i = issuer;
      k = keys;
      issuer = null;
      keys = null;
      owner = null;
    }
    try {
      i.close();
    } finally {
      if (k != null) {
        k.close();
      }
    }
  }
}
