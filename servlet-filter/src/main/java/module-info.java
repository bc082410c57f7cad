/**
 * planeguard for Jakarta Servlet 6 containers: {@link dev.planeguard.servlet.PlaneGuardFilter}.
 *
 * <p>Only {@code dev.planeguard.servlet} is exported. The Servlet API is provided by the container
 * (Tomcat bundles it in its own jar), so it is a static requirement.
 */
module dev.planeguard.servlet {
  requires transitive dev.planeguard.core;
  requires static transitive jakarta.servlet;
  requires static org.jspecify;

  exports dev.planeguard.servlet;
}
