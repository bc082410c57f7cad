package dev.planeguard.webflux;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.planeguard.AuditAttributes;
import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.Policy;
import dev.planeguard.Principal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.TokenVerifier;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.webflux.internal.TestServers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.reactive.HiddenHttpMethodFilter;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.util.context.Context;

/**
 * A WebFlux application on a real Reactor Netty server, configured as a plain (non-Boot)
 * application would be: {@code @EnableWebFlux}, the planeguard filter and the dispatch confirmation
 * as beans, annotated controllers and functional routes, and Spring's {@code
 * HiddenHttpMethodFilter} after planeguard. Every handler records that it ran.
 */
final class TestWebApp implements AutoCloseable {

  /** A handler ran: its name, the method it served, and the principal it saw (or "null"). */
  record Hit(String handler, String method, String principal) {}

  static final String POLICY =
      """
      human      /api/v1/accounts/**
      human      /api/v1/admin/**        scopes=admin
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/summaries/**    purposes=summarize,translate
      public     /healthz
      debug      /__debug/**             plane=human
      public     /app/docs/*             methods=GET carve-out=yes
      human      /app/docs/**            methods=GET
      public     /app/feedback           methods=POST
      human      /app/feedback           methods=DELETE
      public     /fn/docs/*              methods=GET carve-out=yes
      human      /fn/docs/**             methods=GET
      machine    /fn/api/**
      """;

  final Enforcer enforcer;
  final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
  final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
  private final AnnotationConfigApplicationContext context;
  private final DisposableServer server;
  private volatile WebFluxHandlers handlers;
  private volatile RouteCoverage coverage;

  TestWebApp(TokenVerifier tokens, KeyVerifier keys) {
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(Policy.parse(POLICY, "test.policy"))
            .tokenVerifier(tokens)
            .machineKeyVerifier(keys)
            .auditSink(audit::add)
            .build();
    context = new AnnotationConfigApplicationContext();
    context.registerBean(TestWebApp.class, () -> this);
    context.register(Config.class);
    context.refresh();
    HttpHandler handler = WebHttpHandlerBuilder.applicationContext(context).build();
    server = TestServers.reactorNetty(handler);
  }

  int port() {
    return server.port();
  }

  synchronized WebFluxHandlers handlers() {
    if (handlers == null) {
      handlers = WebFluxHandlers.of(context);
    }
    return handlers;
  }

  synchronized RouteCoverage coverage() {
    if (coverage == null) {
      coverage = RouteCoverage.of(enforcer.policy(), handlers().handlers());
    }
    return coverage;
  }

  Mono<String> hit(String name, ServerWebExchange exchange) {
    Principal p = exchange.getAttribute(PlaneGuardWebFilter.PRINCIPAL_ATTRIBUTE);
    return exchange
        .getPrincipal()
        .map(java.security.Principal::getName)
        .defaultIfEmpty("null")
        .map(
            seen -> {
              hits.add(
                  new Hit(
                      name, exchange.getRequest().getMethod().name(), p == null ? seen : p.id()));
              return name;
            });
  }

  Mono<ServerResponse> hit(String name, ServerRequest request) {
    return hit(name, request.exchange()).flatMap(body -> ServerResponse.ok().bodyValue(body));
  }

  @Override
  public void close() {
    server.disposeNow();
    context.close();
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebFlux
  static class Config {

    @Bean
    Controller controller(TestWebApp app) {
      return new Controller(app);
    }

    @Bean
    RouterFunction<ServerResponse> functionalRoutes(TestWebApp app) {
      return route(GET("/fn/docs/{page:[a-z]+}"), r -> app.hit("fnPage", r))
          .andRoute(GET("/fn/docs/{*rest}"), r -> app.hit("fnDocs", r))
          .andNest(
              path("/fn/api"),
              route(GET("/items/{id}"), r -> app.hit("fnItem", r))
                  .andRoute(POST("/items"), r -> app.hit("fnCreate", r)));
    }

    @Bean
    PlaneGuardWebFilter planeGuardWebFilter(TestWebApp app) {
      return PlaneGuardWebFilter.builder(app.enforcer)
          .realm("planeguard-test")
          .requestIdHeader("X-Request-Id")
          .build();
    }

    @Bean
    UpstreamContext upstreamContext() {
      return new UpstreamContext();
    }

    /** Unordered, so after planeguard: the dispatch is decided again on the method it chooses. */
    @Bean
    HiddenHttpMethodFilter hiddenHttpMethodFilter() {
      return new HiddenHttpMethodFilter();
    }

    @Bean
    static DispatchConfirmation planeGuardDispatch(
        ObjectProvider<PlaneGuardWebFilter> filter, ObjectProvider<TestWebApp> app) {
      return new DispatchConfirmation(
          filter::getObject, () -> app.getObject().handlers(), () -> app.getObject().coverage());
    }
  }

  /** The Reactor context key {@link UpstreamContext} writes. */
  static final String UPSTREAM_KEY = "test.upstream";

  /**
   * A filter ahead of planeguard that writes the Reactor context, as an application's tracing or
   * security filter does: its entry must reach the handlers through planeguard's operators.
   */
  static final class UpstreamContext implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      return chain.filter(exchange).contextWrite(Context.of(UPSTREAM_KEY, "written upstream"));
    }

    @Override
    public int getOrder() {
      return PlaneGuardWebFilter.ORDER - 1;
    }
  }

  @RestController
  static class Controller {
    private final TestWebApp app;

    Controller(TestWebApp app) {
      this.app = app;
    }

    @GetMapping("/api/v1/accounts/{id}")
    Mono<String> accounts(ServerWebExchange exchange) {
      return app.hit("accounts", exchange);
    }

    @GetMapping("/api/v1/accounts/{id}/context")
    Mono<String> context() {
      return Mono.deferContextual(c -> Mono.just(c.getOrDefault(UPSTREAM_KEY, "missing")));
    }

    @GetMapping("/api/v1/admin/{id}")
    Mono<String> admin(ServerWebExchange exchange) {
      return app.hit("admin", exchange);
    }

    @RequestMapping(
        path = {"/api/v1/runs", "/api/v1/runs/{id}"},
        method = {RequestMethod.GET, RequestMethod.POST, RequestMethod.PUT})
    Mono<String> runs(ServerWebExchange exchange) {
      return app.hit("runs", exchange);
    }

    /** Fails after it ran: {@code conflict} with a status of its own, anything else with none. */
    @GetMapping("/api/v1/runs/{id}/fail")
    Mono<String> fail(@PathVariable String id, ServerWebExchange exchange) {
      return app.hit("fail", exchange)
          .flatMap(
              name ->
                  Mono.error(
                      id.equals("conflict")
                          ? new ResponseStatusException(HttpStatus.CONFLICT)
                          : new IllegalStateException("the handler failed")));
    }

    /** Never answers: the client gives up, and the exchange is cancelled. */
    @GetMapping("/api/v1/runs/{id}/hang")
    Mono<String> hang(ServerWebExchange exchange) {
      return app.hit("hang", exchange).then(Mono.never());
    }

    @PostMapping("/api/v1/summaries/{id}")
    Mono<String> summaries(ServerWebExchange exchange) {
      AuditAttributes audit = PlaneGuardWebFilter.auditAttributes(exchange);
      if (audit != null) {
        audit.model("m-1").inputTokens(12).success(true);
      }
      return app.hit("summaries", exchange);
    }

    @GetMapping("/healthz")
    Mono<String> health(ServerWebExchange exchange) {
      return app.hit("health", exchange);
    }

    @GetMapping("/__debug/{id}")
    Mono<String> debug(ServerWebExchange exchange) {
      return app.hit("debug", exchange);
    }

    @GetMapping("/app/docs/{page:[a-z]+}")
    Mono<String> page(ServerWebExchange exchange) {
      return app.hit("page", exchange);
    }

    @GetMapping("/app/docs/{*rest}")
    @HumanPlane
    Mono<String> docs(ServerWebExchange exchange) {
      return app.hit("docs", exchange);
    }

    @PostMapping("/app/feedback")
    Mono<String> feedback(ServerWebExchange exchange) {
      return app.hit("feedback", exchange);
    }

    @DeleteMapping("/app/feedback")
    Mono<String> withdraw(ServerWebExchange exchange) {
      return app.hit("withdraw", exchange);
    }
  }
}
