/**
 * planeguard for Jakarta REST 3.1 runtimes: {@link dev.planeguard.jaxrs.PlaneGuardFeature} and
 * {@link dev.planeguard.jaxrs.ResourceModel}.
 *
 * <p>Only {@code dev.planeguard.jaxrs} is exported; the runtime (Jersey, RESTEasy) provides the
 * Jakarta REST API, so it is a static requirement. The runtime reaches the filters reflectively, so
 * the internal package is opened to it.
 */
module dev.planeguard.jaxrs {
  requires transitive dev.planeguard.core;
  requires static transitive jakarta.ws.rs;
  requires static org.jspecify;

  exports dev.planeguard.jaxrs;

  opens dev.planeguard.jaxrs.internal;
}
