package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's lifecycle, observed by running small test classes on the JUnit engine: one issuer
 * per class, faults undone between tests, everything closed afterwards.
 */
class TestIssuerExtensionTest {

  static final List<TestIssuer> ISSUERS = new CopyOnWriteArrayList<>();
  static final List<Path> KEY_FILES = new CopyOnWriteArrayList<>();

  static Events run(Class<?> scenario) {
    ISSUERS.clear();
    KEY_FILES.clear();
    Events events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(scenario))
            .execute()
            .testEvents();
    events.failed().stream()
        .forEach(
            e ->
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                    .ifPresent(
                        t -> {
                          throw new AssertionError("scenario test failed", t);
                        }));
    return events;
  }

  @Test
  void aStaticFieldGivesOneIssuerPerClassAndUndoesFaultsBetweenTests() throws Exception {
    Events events = run(StaticRegistration.class);

    events.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    assertThat(ISSUERS).hasSize(3).containsOnly(ISSUERS.get(0));
    assertClosed(ISSUERS.get(0));
    assertThat(KEY_FILES).hasSize(2).containsOnly(KEY_FILES.get(0));
    assertThat(KEY_FILES.get(0)).doesNotExist();
  }

  @Test
  void theAnnotationInjectsOneIssuerIntoTheClassAndItsNestedClasses() throws Exception {
    Events events = run(AnnotatedRegistration.class);

    events.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    assertThat(ISSUERS).hasSize(2).containsOnly(ISSUERS.get(0));
    assertClosed(ISSUERS.get(0));
  }

  @Test
  void anInstanceFieldGivesOneIssuerPerTest() throws Exception {
    Events events = run(InstanceRegistration.class);

    events.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    assertThat(ISSUERS).hasSize(2);
    assertThat(ISSUERS.get(0)).isNotSameAs(ISSUERS.get(1));
    assertClosed(ISSUERS.get(0));
    assertClosed(ISSUERS.get(1));
  }

  @Test
  void theIssuerIsUnavailableOutsideATestClass() {
    TestIssuerExtension extension = TestIssuerExtension.create();
    assertThatThrownBy(extension::issuer)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@BeforeAll");
    assertThatThrownBy(extension::keys).isInstanceOf(IllegalStateException.class);
  }

  static void assertClosed(TestIssuer issuer) {
    assertThat(issuer.running()).isFalse();
    assertThatThrownBy(() -> get(issuer.jwksUri())).isInstanceOf(ConnectException.class);
  }

  static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------- scenarios, run by the tests

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class StaticRegistration {

    @RegisterExtension
    static final TestIssuerExtension PLANEGUARD =
        TestIssuerExtension.using(TestIssuer.builder().audience("scenario"));

    @BeforeAll
    static void beforeAll(TestIssuer issuer) {
      assertThat(issuer).isSameAs(PLANEGUARD.issuer());
      ISSUERS.add(issuer);
    }

    @Test
    @Order(1)
    void first(TestIssuer issuer, TestKeys keys) throws Exception {
      ISSUERS.add(issuer);
      KEY_FILES.add(keys.file());
      assertThat(issuer.audience()).isEqualTo("scenario");
      keys.machineKey().mint();
      issuer.failJwks(TestIssuer.JwksFault.SERVER_ERROR);
      assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(500);
      issuer.holdJwks();
      issuer.takeDown();
    }

    @Test
    @Order(2)
    void second(TestIssuer issuer, TestKeys keys) throws Exception {
      ISSUERS.add(issuer);
      KEY_FILES.add(keys.file());
      assertThat(issuer.running()).isTrue();
      assertThat(issuer.jwksRequestCount()).isZero();
      assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(200); // no fault, no hold
      assertThat(keys.records()).hasSize(1); // keys persist for the class
    }
  }

  @WithTestIssuer
  static class AnnotatedRegistration {

    @Test
    void outer(TestIssuer issuer) {
      ISSUERS.add(issuer);
    }

    @Nested
    class Inner {
      @Test
      void inner(TestIssuer issuer) {
        ISSUERS.add(issuer);
      }
    }
  }

  static class InstanceRegistration {

    @RegisterExtension final TestIssuerExtension planeguard = TestIssuerExtension.create();

    @Test
    void one(TestIssuer issuer) {
      assertThat(issuer).isSameAs(planeguard.issuer());
      ISSUERS.add(issuer);
    }

    @Test
    void two(TestIssuer issuer) {
      ISSUERS.add(issuer);
    }
  }
}
