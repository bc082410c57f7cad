package dev.planeguard.spring;

import dev.planeguard.Principal;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import org.springframework.core.Ordered;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Runs after planeguard and before Spring Security's {@code WebFilterChainProxy}: hands the
 * planeguard principal of an allowed request to Spring Security through the Reactor context, where
 * {@code ReactiveSecurityContextHolder} finds it. Spring Security's {@code ReactorContextWebFilter}
 * keeps a security context already in the Reactor context, so {@code authenticated()} and
 * {@code @PreAuthorize} see the caller. planeguard has already decided.
 */
final class ReactiveSecurityBridge implements WebFilter, Ordered {

  /** Just before Spring Security's filter chain proxy ({@code -100}). */
  static final int ORDER = -101;

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (exchange.getAttribute(PlaneGuardWebFilter.PRINCIPAL_ATTRIBUTE) instanceof Principal p) {
      return chain
          .filter(exchange)
          .contextWrite(
              ReactiveSecurityContextHolder.withAuthentication(new PlaneGuardAuthentication(p)));
    }
    return chain.filter(exchange);
  }
}
