package dev.planeguard.spring.apps;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.planeguard.AuditAttributes;
import dev.planeguard.Principal;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** WebFlux applications for the starter's reactive HTTP tests, on Reactor Netty. */
public final class ReactiveApps {

  private ReactiveApps() {}

  /** Spring Security (reactive), everything authenticated but the public routes. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SecuredController.class)
  public static class Secured {
    @Bean
    SecurityWebFilterChain chain(ServerHttpSecurity http) {
      return http.authorizeExchange(
              a ->
                  a.pathMatchers("/healthz", "/api/v1/status")
                      .permitAll()
                      .anyExchange()
                      .authenticated())
          .csrf(c -> c.disable())
          .build();
    }

    /** A functional route beside the controllers. */
    @Bean
    RouterFunction<ServerResponse> status() {
      return route(GET("/api/v1/status"), r -> ServerResponse.ok().bodyValue("up"));
    }
  }

  @RestController
  public static class SecuredController {

    /** What Spring Security's reactive context holds. */
    @GetMapping("/api/v1/accounts/me")
    public Mono<Map<String, Object>> me() {
      return ReactiveSecurityContextHolder.getContext()
          .map(SecurityContext::getAuthentication)
          .map(ReactiveApps::caller);
    }

    @GetMapping("/api/v1/telemetry/caller")
    public Mono<Map<String, Object>> machine() {
      return me();
    }

    /** Records its audit attributes through a handler-method parameter. */
    @PostMapping("/api/v1/runs")
    public Mono<String> create(AuditAttributes audit) {
      audit.purpose("nightly-eval").model("m-1").success(true);
      return Mono.just("created");
    }

    @GetMapping("/healthz")
    public Mono<String> health() {
      return Mono.just("ok");
    }
  }

  static Map<String, Object> caller(Authentication auth) {
    return Map.of(
        "type", auth.getClass().getSimpleName(),
        "name", auth.getName(),
        "principal", ((Principal) auth.getPrincipal()).plane().id(),
        "authorities", auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList());
  }
}
