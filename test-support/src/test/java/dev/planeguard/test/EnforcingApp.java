package dev.planeguard.test;

import com.sun.net.httpserver.HttpExchange;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The demo application behind planeguard's {@link Enforcer}, with real verifiers: a Nimbus verifier
 * against the test issuer's JWKS and a verifier over the test key file. Hands the engine the raw
 * request target and the path the application will dispatch on, as the servlet filter does.
 */
final class EnforcingApp extends DemoApp {

  private final Enforcer enforcer;

  EnforcingApp(TestIssuer issuer, TestKeys keys) {
    this.enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon")))
            .policy(POLICY)
            .tokenVerifier(new NimbusTokenVerifier(issuer))
            .machineKeyVerifier(new KeyFileVerifier(keys))
            .auditSink(event -> {})
            .build();
  }

  @Override
  int authorize(HttpExchange exchange) {
    URI uri = exchange.getRequestURI();
    // Origin form: the target exactly as received. Absolute form: its path and query, as a
    // servlet container's getRequestURI() gives it.
    String target =
        uri.getScheme() == null
            ? uri.toString()
            : uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    InboundRequest base =
        InboundRequest.of(exchange.getRequestMethod(), target, exchange.getRequestHeaders());
    String dispatched = dispatchPath(exchange);
    InboundRequest request =
        new InboundRequest() {
          @Override
          public String method() {
            return base.method();
          }

          @Override
          public String path() {
            return base.path();
          }

          @Override
          public @Nullable String query() {
            return base.query();
          }

          @Override
          public List<String> headers(String name) {
            return base.headers(name);
          }

          @Override
          public String containerPath() {
            return dispatched;
          }
        };
    Decision decision = enforcer.decide(request);
    return decision.allowed() ? 0 : decision.status();
  }

  @Override
  String dispatchPath(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    return path == null ? "" : path;
  }
}
