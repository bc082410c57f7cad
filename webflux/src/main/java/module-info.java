/**
 * planeguard for Spring WebFlux: {@link dev.planeguard.webflux.PlaneGuardWebFilter}.
 *
 * <p>Only {@code dev.planeguard.webflux} is exported. Spring WebFlux and Reactor are provided by
 * the application, so they are static requirements; so is Reactor Netty, whose request headers the
 * filter reads when the application runs on it.
 */
module dev.planeguard.webflux {
  requires transitive dev.planeguard.core;
  requires static transitive spring.webflux;
  requires static transitive spring.web;
  requires static transitive spring.core;
  requires static transitive spring.beans;
  requires static transitive spring.context;
  requires static transitive reactor.core;
  requires static org.reactivestreams;
  requires static reactor.netty.core;
  requires static reactor.netty.http;
  requires static io.netty.codec.http;
  requires static io.netty.common;
  requires static org.jspecify;

  exports dev.planeguard.webflux;
}
