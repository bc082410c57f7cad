package dev.planeguard.webflux;

import static java.util.Objects.requireNonNull;

import dev.planeguard.AuditAttributes;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Principal;
import dev.planeguard.Refusal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.webflux.internal.AuditOnEnd;
import dev.planeguard.webflux.internal.ExchangeRequestView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Enforces planeguard in a Spring WebFlux application: every request is decided by the {@link
 * Enforcer}, and only an allowed request reaches the rest of the filter chain; once WebFlux has
 * chosen the handler, {@link DispatchConfirmation} confirms it before it runs. The filter holds no
 * policy of its own; it hands the engine the request as the server received it and writes the
 * answer — the same bytes as the servlet filter.
 * <!-- example: PlaneGuardWebFilter.beans -->
 *
 * <pre>{@code
 * @Configuration
 * @EnableWebFlux
 * class PlaneGuardConfig {
 *   @Bean(destroyMethod = "close")
 *   PlaneGuard planeGuard(ApplicationContext context) {
 *     WebFluxHandlers handlers = WebFluxHandlers.of(context);
 *     PlaneGuardSettings.Builder settings =
 *         PlaneGuardSettings.fromEnvironment(System.getenv()).handlers(handlers.handlers());
 *     handlers.unmirrored().forEach(settings::unmirrored);
 *     return PlaneGuard.assemble(settings.build());
 *   }
 *
 *   @Bean
 *   PlaneGuardWebFilter planeGuardWebFilter(PlaneGuard planeGuard) {
 *     return new PlaneGuardWebFilter(planeGuard.enforcer());
 *   }
 *
 *   @Bean
 *   static DispatchConfirmation planeGuardDispatch(
 *       ObjectProvider<PlaneGuard> planeGuard,
 *       ObjectProvider<PlaneGuardWebFilter> filter,
 *       ApplicationContext context) {
 *     return new DispatchConfirmation(
 *         filter::getObject,
 *         () -> WebFluxHandlers.of(context),
 *         () -> planeGuard.getObject().coverage());
 *   }
 * }
 * }</pre>
 *
 * <h2>What the filter reads</h2>
 *
 * <p>The method as received; the raw path within the application ({@code
 * request.getPath().pathWithinApplication()}, still percent-encoded, without the {@code
 * spring.webflux.base-path}); the raw query; every value of the credential and tenant headers; and
 * the path WebFlux dispatches on (each segment decoded once, without matrix parameters), which must
 * equal the engine's own single decode of the raw path or the request is refused ({@code
 * MALFORMED_REQUEST}). Headers such as {@code X-Original-URL}, {@code X-Rewrite-URL} and {@code
 * X-Forwarded-Prefix} are never read; keep Spring's {@code ForwardedHeaderTransformer} off (its
 * default), or the path decided is one a client chose.
 *
 * <h2>On allow</h2>
 *
 * <p>The {@link Principal} of an authenticated request is the exchange attribute {@value
 * #PRINCIPAL_ATTRIBUTE} and {@link ServerWebExchange#getPrincipal()}; a public route leaves the
 * exchange as it is. The audit event is recorded when the rest of the chain ends, with the status
 * of the response (for an error that reaches the filter, the status of a {@code
 * ResponseStatusException}, else 500, as WebFlux's exception handlers answer; 0 for a cancelled
 * exchange) and the handler's {@link #auditAttributes}.
 *
 * <h2>On deny</h2>
 *
 * <p>The chain is not invoked. The response is the {@link Refusal} of the decision: its status,
 * {@code Content-Type: application/problem+json}, {@code Content-Length}, {@code Cache-Control:
 * no-store}, {@code WWW-Authenticate} on 401, {@code Retry-After} on 503 and 429, and the {@code
 * RateLimit} fields of a spent limit. Nothing from the request is echoed.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PlaneGuardWebFilter implements WebFilter, Ordered {

  /**
   * The order of the filter: ahead of every filter that reads or rewrites the request (Spring
   * Boot's {@code HiddenHttpMethodFilter} is at {@code -10000}) and of Spring Security ({@code
   * -100}).
   */
  public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

  /** The exchange attribute holding the {@link Principal} of an authenticated request. */
  public static final String PRINCIPAL_ATTRIBUTE = "dev.planeguard.Principal";

  /**
   * The exchange attribute holding the allowing {@link Decision}, which {@link #confirm} checks
   * against the handler WebFlux chooses.
   */
  public static final String DECISION_ATTRIBUTE = "dev.planeguard.Decision";

  // The decision made at the edge, whose audit event carries the handler's attributes.
  private static final String EDGE_DECISION_ATTRIBUTE = "dev.planeguard.FirstDecision";

  /** The default {@code realm} of {@code WWW-Authenticate}. */
  public static final String DEFAULT_REALM = "api";

  private final Enforcer enforcer;
  private final String realm;
  private final @Nullable String requestIdHeader;
  private final String description;

  /** A filter with the default settings (see {@link Builder}). */
  public PlaneGuardWebFilter(Enforcer enforcer) {
    this(builder(enforcer));
  }

  private PlaneGuardWebFilter(Builder b) {
    this.enforcer = b.enforcer;
    this.realm = b.realm;
    this.requestIdHeader = b.requestIdHeader;
    // Made once: WebFlux's filter chain asks every filter for its description on every request.
    this.description =
        "PlaneGuardWebFilter{realm="
            + realm
            + (requestIdHeader == null ? "" : ", requestIdHeader=" + requestIdHeader)
            + "}";
  }

  /** A builder for a filter that applies {@code enforcer}. */
  public static Builder builder(Enforcer enforcer) {
    return new Builder(enforcer);
  }

  /** {@link #ORDER}. */
  @Override
  public int getOrder() {
    return ORDER;
  }

  /** Decides the request; invokes the chain only if it is allowed. */
  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    Decision decision =
        enforcer.admit(ExchangeRequestView.of(exchange.getRequest(), requestIdHeader));
    if (!decision.allowed()) {
      return refuse(exchange, decision);
    }
    exchange.getAttributes().put(DECISION_ATTRIBUTE, decision);
    exchange.getAttributes().put(EDGE_DECISION_ATTRIBUTE, decision);
    ServerHttpResponse response = exchange.getResponse();
    // What is left of the caller's limits, with the allowed response (IETF httpapi draft).
    decision.forEachRateLimitHeader(response.getHeaders()::set);
    ServerWebExchange next = exchange;
    Principal principal = decision.principal();
    if (principal != null) {
      exchange.getAttributes().put(PRINCIPAL_ATTRIBUTE, principal);
      next = exchange.mutate().principal(Mono.just(principal)).build();
    }
    return AuditOnEnd.of(chain.filter(next), enforcer, decision, response);
  }

  /**
   * Where the handler of the current request records what it knows about it, for its entry in the
   * audit trail ({@link AuditAttributes}: purpose, model, token counts, cost, success); {@code
   * null} if planeguard did not allow the request (no filter ran, or it was refused).
   */
  public static @Nullable AuditAttributes auditAttributes(ServerWebExchange exchange) {
    return exchange.getAttribute(EDGE_DECISION_ATTRIBUTE) instanceof Decision d
        ? d.auditAttributes()
        : null;
  }

  /**
   * Confirms, once WebFlux has chosen the handler of the request, that the rule this filter applied
   * covers it (decision row 18, {@link Enforcer#confirm}). {@link DispatchConfirmation} calls it
   * for every handler; call it yourself only from another last hook before a handler runs. The
   * exchange is the one WebFlux dispatches, so a method override is seen and decided again on the
   * method WebFlux will serve.
   *
   * @param handler the entry of the chosen handler in a {@link RouteCoverage} of this filter's
   *     enforcer
   * @return {@code true} if the handler may run; {@code false} once a refusal was written, and the
   *     handler must not run
   */
  public Mono<Boolean> confirm(ServerWebExchange exchange, RouteCoverage.Entry handler) {
    Mono<Void> refusal = refusalAtDispatch(exchange, handler);
    return refusal == null ? Mono.just(Boolean.TRUE) : refusal.thenReturn(Boolean.FALSE);
  }

  /**
   * {@link #confirm} without a reactive step when the handler may run: {@code null} then, else the
   * writing of the refusal.
   */
  @Nullable Mono<Void> refusalAtDispatch(ServerWebExchange exchange, RouteCoverage.Entry handler) {
    Decision admitted = exchange.getAttribute(DECISION_ATTRIBUTE) instanceof Decision d ? d : null;
    Decision decision =
        enforcer.confirm(
            ExchangeRequestView.of(exchange.getRequest(), requestIdHeader), admitted, handler);
    if (decision.allowed()) {
      if (decision != admitted) {
        exchange.getAttributes().put(DECISION_ATTRIBUTE, decision);
      }
      return null;
    }
    return refuse(exchange, decision);
  }

  private Mono<Void> refuse(ServerWebExchange exchange, Decision decision) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(
          new IllegalStateException(
              "planeguard refused a request after the response was committed: "
                  + decision.reason()));
    }
    Refusal refusal = Refusal.of(decision, realm, enforcer.machineKeyHeader());
    response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
    refusal.forEachHeader(response.getHeaders()::set);
    byte[] body = body(refusal);
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
  }

  private static byte[] body(Refusal refusal) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(refusal.contentLength());
    try {
      refusal.writeBody(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  /** Realm and request id header; never a credential. */
  @Override
  public String toString() {
    return description;
  }

  /** Settings of a {@link PlaneGuardWebFilter}. */
  public static final class Builder {

    private final Enforcer enforcer;
    private String realm = DEFAULT_REALM;
    private @Nullable String requestIdHeader;

    private Builder(Enforcer enforcer) {
      this.enforcer = requireNonNull(enforcer, "enforcer");
    }

    /**
     * The {@code realm} of {@code WWW-Authenticate}; {@value PlaneGuardWebFilter#DEFAULT_REALM} by
     * default. 1 to 128 printable ASCII characters without {@code "} or {@code \}.
     *
     * @throws IllegalArgumentException if the realm cannot be sent in a quoted string
     */
    public Builder realm(String realm) {
      Refusal.checkRealm(realm);
      this.realm = realm;
      return this;
    }

    /**
     * Takes the audit event's request id from the first value of this header (for example {@code
     * X-Request-Id} set by your proxy). By default the server's request id ({@code
     * ServerHttpRequest.getId()}) is used. The value is client-controlled unless a proxy sets it;
     * the engine escapes and caps it before it is recorded.
     *
     * @throws IllegalArgumentException if {@code name} is not a header name
     */
    public Builder requestIdHeader(String name) {
      requireNonNull(name, "name");
      if (!PlaneGuardSettings.isHeaderName(name)) {
        throw new IllegalArgumentException("not a header name");
      }
      this.requestIdHeader = name;
      return this;
    }

    /** The filter. */
    public PlaneGuardWebFilter build() {
      return new PlaneGuardWebFilter(this);
    }
  }
}
