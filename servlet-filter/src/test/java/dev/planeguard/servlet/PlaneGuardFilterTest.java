package dev.planeguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.Policy;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the filter does outside a container: configuration and the fail-closed edges. */
class PlaneGuardFilterTest {

  static final Enforcer ENFORCER =
      Enforcer.builder()
          .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
          .policy(Policy.parse("machine /m/**\npublic /p\n", "unit.policy"))
          .machineKeyVerifier(KeyVerifier.of(KeyStore.inMemory()))
          .build();

  /** A proxy of {@code type} answering {@code answer(method name)} for every call. */
  @SuppressWarnings("unchecked")
  static <T> T stub(Class<T> type, Map<String, Object> answers) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  static FilterConfig config(String contextPath) {
    ServletContext context = stub(ServletContext.class, Map.of("getContextPath", contextPath));
    return stub(FilterConfig.class, Map.of("getServletContext", context));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\"b", "a\\b", "x\r\nSet-Cookie: a=b", "caf\u00e9"})
  void aRealmThatCannotBeQuotedIsRefusedAtConfiguration(String realm) {
    assertThatThrownBy(() -> PlaneGuardFilter.builder(ENFORCER).realm(realm))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "X Request", "X-Id\r\n", "X:Id"})
  void aRequestIdHeaderThatIsNotAHeaderNameIsRefused(String name) {
    assertThatThrownBy(() -> PlaneGuardFilter.builder(ENFORCER).requestIdHeader(name))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringShowsSettingsOnly() {
    assertThat(
            PlaneGuardFilter.builder(ENFORCER)
                .realm("acme")
                .requestIdHeader("X-Request-Id")
                .build())
        .hasToString("PlaneGuardFilter{realm=acme, requestIdHeader=X-Request-Id}");
    assertThat(new PlaneGuardFilter(ENFORCER)).hasToString("PlaneGuardFilter{realm=api}");
  }

  @Test
  void oneInstanceGuardsOneApplication() throws ServletException {
    PlaneGuardFilter filter = new PlaneGuardFilter(ENFORCER);
    filter.init(config("/a"));
    filter.init(config("/a"));
    assertThatThrownBy(() -> filter.init(config("/b"))).isInstanceOf(ServletException.class);
  }

  @Test
  void aFilterTheContainerDidNotInitialiseRefusesEverything() {
    PlaneGuardFilter filter = new PlaneGuardFilter(ENFORCER);
    AtomicInteger chain = new AtomicInteger();
    ServletRequest request =
        stub(jakarta.servlet.http.HttpServletRequest.class, Map.of("getMethod", "GET"));
    ServletResponse response = stub(jakarta.servlet.http.HttpServletResponse.class, Map.of());
    assertThatThrownBy(
            () -> filter.doFilter(request, response, (req, res) -> chain.incrementAndGet()))
        .isInstanceOf(ServletException.class);
    assertThat(chain).hasValue(0);
  }

  @Test
  void aRequestThatIsNotHttpIsRefused() throws ServletException {
    PlaneGuardFilter filter = new PlaneGuardFilter(ENFORCER);
    filter.init(config(""));
    AtomicInteger chain = new AtomicInteger();
    ServletRequest request = stub(ServletRequest.class, Map.of());
    ServletResponse response = stub(ServletResponse.class, Map.of());
    assertThatThrownBy(
            () -> filter.doFilter(request, response, (req, res) -> chain.incrementAndGet()))
        .isInstanceOf(ServletException.class)
        .hasMessage("planeguard only serves HTTP requests");
    assertThat(chain).hasValue(0);
  }
}
