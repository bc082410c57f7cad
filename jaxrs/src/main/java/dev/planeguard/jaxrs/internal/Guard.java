package dev.planeguard.jaxrs.internal;

import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.Refusal;
import dev.planeguard.RouteCoverage;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * What the three filters do, in one place: decide at the edge, confirm at dispatch, and keep the
 * response of a refusal as the engine wrote it. No policy here: the engine decides, this class
 * carries its answers.
 */
public final class Guard {

  /** The request property holding the {@link Principal} of an authenticated request. */
  public static final String PRINCIPAL_PROPERTY = "dev.planeguard.Principal";

  /** The request property holding the allowing {@link Decision} in force. */
  public static final String DECISION_PROPERTY = "dev.planeguard.Decision";

  /** The request property holding the {@link Refusal} a filter answered with. */
  private static final String REFUSAL_PROPERTY = "dev.planeguard.Refusal";

  /** The request property holding the method the request arrived with. */
  private static final String METHOD_PROPERTY = "dev.planeguard.Method";

  /** The request property set once the allow's audit event is finished. */
  private static final String FINISHED_PROPERTY = "dev.planeguard.Finished";

  private static final MediaType PROBLEM = MediaType.valueOf(Refusal.CONTENT_TYPE);
  private static final Annotation[] NONE = new Annotation[0];

  /** Finds the coverage entry of the resource method the runtime matched. */
  @FunctionalInterface
  public interface Entries {
    /**
     * The entry of {@code method} of {@code resourceClass}, the framework answer, or the unknown
     * entry; {@code resourceClass} and {@code method} are {@code null} if the runtime matched none.
     */
    RouteCoverage.Entry entry(
        @Nullable Class<?> resourceClass, @Nullable Method method, String requestMethod);
  }

  private final Enforcer enforcer;
  private final String realm;
  private final @Nullable String requestIdHeader;
  private final String applicationPath;
  private final Entries entries;

  /** A guard deciding with {@code enforcer}. */
  public Guard(
      Enforcer enforcer,
      String realm,
      @Nullable String requestIdHeader,
      String applicationPath,
      Entries entries) {
    this.enforcer = enforcer;
    this.realm = realm;
    this.requestIdHeader = requestIdHeader;
    this.applicationPath = applicationPath;
    this.entries = entries;
  }

  /** The pre-matching decision: an allow hands the principal on, a refusal aborts. */
  void admit(ContainerRequestContext request) {
    request.setProperty(METHOD_PROPERTY, request.getMethod());
    Decision decision =
        enforcer.admit(JaxrsRequestView.of(request, applicationPath, requestIdHeader));
    if (!decision.allowed()) {
      refuse(request, decision);
      return;
    }
    request.setProperty(DECISION_PROPERTY, decision);
    Principal principal = decision.principal();
    if (principal != null) {
      request.setProperty(PRINCIPAL_PROPERTY, principal);
      request.setSecurityContext(
          new PrincipalSecurityContext(principal, scheme(principal), request.getSecurityContext()));
    }
  }

  /** The post-matching confirmation of the resource method the runtime matched (row 18). */
  void confirm(
      ContainerRequestContext request, @Nullable Class<?> resourceClass, @Nullable Method method) {
    Decision admitted =
        request.getProperty(DECISION_PROPERTY) instanceof Decision d && d.allowed() ? d : null;
    RouteCoverage.Entry entry;
    try {
      entry = entries.entry(resourceClass, method, request.getMethod());
    } catch (RuntimeException e) {
      // Never run a handler whose coverage cannot be found.
      entry = entries.entry(null, null, "");
    }
    String served = request.getMethod();
    if (served.equals("GET") && "HEAD".equals(request.getProperty(METHOD_PROPERTY))) {
      // Jersey serves a HEAD with the GET method by renaming the request; it is still a HEAD.
      served = "HEAD";
    }
    Decision decision =
        enforcer.confirm(
            JaxrsRequestView.of(request, served, applicationPath, requestIdHeader),
            admitted,
            entry);
    if (!decision.allowed()) {
      request.removeProperty(DECISION_PROPERTY);
      request.removeProperty(PRINCIPAL_PROPERTY);
      refuse(request, decision);
      return;
    }
    if (decision != admitted) {
      // Decided again (the method or path changed after the edge): this allow is the one in force.
      request.setProperty(DECISION_PROPERTY, decision);
      Principal principal = decision.principal();
      if (principal != null && admitted == null) {
        request.setProperty(PRINCIPAL_PROPERTY, principal);
        request.setSecurityContext(
            new PrincipalSecurityContext(
                principal, scheme(principal), request.getSecurityContext()));
      }
    }
  }

  /**
   * On the way out: a refusal is put back exactly as the engine wrote it (status, body, headers),
   * whatever a response filter of the application changed; an allow gets its rate limit headers and
   * its audit event, with the response's status.
   */
  void respond(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(REFUSAL_PROPERTY) instanceof Refusal refusal) {
      write(response, refusal);
      return;
    }
    if (!(request.getProperty(DECISION_PROPERTY) instanceof Decision decision)) {
      return;
    }
    // What is left of the caller's limits, with the allowed response (IETF httpapi draft).
    decision.forEachRateLimitHeader(response.getHeaders()::putSingle);
    if (request.getProperty(FINISHED_PROPERTY) == null) {
      request.setProperty(FINISHED_PROPERTY, true);
      enforcer.finish(decision, response.getStatus());
    }
  }

  private void refuse(ContainerRequestContext request, Decision decision) {
    Refusal refusal = Refusal.of(decision, realm, enforcer.machineKeyHeader());
    request.setProperty(REFUSAL_PROPERTY, refusal);
    Response.ResponseBuilder r =
        Response.status(refusal.status()).entity(new RefusalEntity(refusal)).type(PROBLEM);
    request.abortWith(r.build());
  }

  /** The refusal's status, entity and headers, replacing whatever was set before. */
  private static void write(ContainerResponseContext response, Refusal refusal) {
    response.setStatus(refusal.status());
    response.setEntity(new RefusalEntity(refusal), NONE, PROBLEM);
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.remove("Content-Encoding");
    Refusal.headerNames().forEach(headers::remove);
    refusal.forEachHeader(headers::putSingle);
  }

  /** {@code getAuthenticationScheme()} of a principal, named after its credential. */
  public static String scheme(Principal principal) {
    if (principal instanceof HumanPrincipal) {
      return "Bearer";
    }
    if (principal instanceof MachinePrincipal) {
      return "ApiKey";
    }
    return "SandboxKey";
  }

  @Override
  public String toString() {
    return "Guard{realm=" + realm + "}";
  }
}
