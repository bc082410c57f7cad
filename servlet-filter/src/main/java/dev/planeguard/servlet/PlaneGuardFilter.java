package dev.planeguard.servlet;

import static java.util.Objects.requireNonNull;

import dev.planeguard.AuditAttributes;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Principal;
import dev.planeguard.Refusal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.servlet.internal.AuthenticatedRequest;
import dev.planeguard.servlet.internal.ServletRequestView;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import org.jspecify.annotations.Nullable;

/**
 * Enforces planeguard in a Jakarta Servlet 6 container: every dispatch is decided by the {@link
 * Enforcer}, and only an allowed dispatch reaches the rest of the filter chain. The filter holds no
 * policy of its own; it hands the engine the request as the container received it and writes the
 * answer.
 * <!-- example: PlaneGuardFilter.registerOn -->
 *
 * <pre>{@code
 * public final class Startup implements ServletContainerInitializer {
 *   @Override
 *   public void onStartup(Set<Class<?>> classes, ServletContext context) {
 *     PlaneGuard planeguard =
 *         PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(System.getenv()).build());
 *     new PlaneGuardFilter(planeguard.enforcer()).registerOn(context);  // before any other filter
 *     // ... your own filters and servlets; planeguard.close() when the application stops
 *   }
 * }
 * }</pre>
 *
 * <h2>What the filter reads</h2>
 *
 * <p>The method; the raw request URI ({@code getRequestURI()}, still percent-encoded) minus the
 * application's context path; the raw query string; every value of the credential and tenant
 * headers ({@code getHeaders}, never only the first); and the container's decoded {@code
 * servletPath + pathInfo}, which must equal the engine's own single decode of the raw path or the
 * request is refused ({@code MALFORMED_REQUEST}). Headers such as {@code X-Original-URL}, {@code
 * X-Rewrite-URL} and {@code X-Forwarded-Prefix} are never read.
 *
 * <h2>Dispatches</h2>
 *
 * <p>{@link #registerOn} maps the filter to {@code /*} for every {@link DispatcherType}, so a
 * forward, include, error page or async dispatch is decided again on its own target, with the
 * credentials of the original request: a public servlet that forwards to a protected path does not
 * hand out the protected resource.
 *
 * <ul>
 *   <li>REQUEST, FORWARD, ASYNC: a refusal is written as below.
 *   <li>INCLUDE: an included response cannot set a status, so a refused include throws a {@link
 *       ServletException} to the including servlet instead; the included resource does not run.
 *   <li>ERROR: an error page is decided like any other target. If it is refused, the error page
 *       does not run and the filter writes {@link Refusal#plain(int)} with the status of the
 *       original error (500 if there is none), without {@code WWW-Authenticate}: the client sees
 *       the error it caused, and no refusal ever triggers another error dispatch, because the
 *       filter writes its answers itself and never calls {@code sendError}. Map your error page as
 *       a {@code public} route if it should render.
 * </ul>
 *
 * <p>Dispatches through a named dispatcher ({@code getNamedDispatcher}) have no path, and the
 * container does not apply {@code /*} filters to them: code that calls a servlet by name bypasses
 * every URL-mapped filter, this one included.
 *
 * <h2>On allow</h2>
 *
 * <p>For an authenticated caller the chain receives a request whose {@code getUserPrincipal()} is
 * the planeguard {@link Principal}, whose {@code getRemoteUser()} is its id, whose {@code
 * getAuthType()} is {@value #BEARER_AUTH}, {@value #API_KEY_AUTH} or {@value #SANDBOX_KEY_AUTH},
 * and whose {@code isUserInRole(scope)} answers from the principal's scopes. The principal is also
 * the request attribute {@value #PRINCIPAL_ATTRIBUTE}. A public route leaves the request as it is.
 *
 * <h2>On deny</h2>
 *
 * <p>The chain is not invoked. The response is the {@link Refusal} of the decision: its status,
 * {@code Content-Type: application/problem+json}, {@code Cache-Control: no-store}, {@code
 * WWW-Authenticate} on 401 and {@code Retry-After} on 503. Nothing from the request is echoed. The
 * two 404 reasons answer exactly like {@link Refusal#plain plain(404)}.
 *
 * <p>Instances are immutable and thread-safe once {@linkplain #init initialised}; one instance
 * guards one application (servlet context).
 */
public final class PlaneGuardFilter implements Filter {

  /** The name {@link #registerOn} registers the filter under. */
  public static final String NAME = "planeguard";

  /** The request attribute holding the {@link Principal} of an authenticated request. */
  public static final String PRINCIPAL_ATTRIBUTE = "dev.planeguard.Principal";

  /**
   * The request attribute holding the allowing {@link Decision} of the current dispatch, which
   * {@link #confirm} checks against the handler a framework chooses.
   */
  public static final String DECISION_ATTRIBUTE = "dev.planeguard.Decision";

  // The request's first allowed dispatch, whose audit event carries the handler's attributes.
  private static final String FIRST_DECISION_ATTRIBUTE = "dev.planeguard.FirstDecision";

  /** {@code getAuthType()} of a caller authenticated with {@code Authorization: Bearer}. */
  public static final String BEARER_AUTH = "Bearer";

  /** {@code getAuthType()} of a caller authenticated with a machine key. */
  public static final String API_KEY_AUTH = "ApiKey";

  /** {@code getAuthType()} of a caller authenticated with a sandbox key. */
  public static final String SANDBOX_KEY_AUTH = "SandboxKey";

  /** The default {@code realm} of {@code WWW-Authenticate}. */
  public static final String DEFAULT_REALM = "api";

  private final Enforcer enforcer;
  private final String realm;
  private final @Nullable String requestIdHeader;
  private volatile @Nullable String contextPath;

  /** A filter with the default settings (see {@link Builder}). */
  public PlaneGuardFilter(Enforcer enforcer) {
    this(builder(enforcer));
  }

  private PlaneGuardFilter(Builder b) {
    this.enforcer = b.enforcer;
    this.realm = b.realm;
    this.requestIdHeader = b.requestIdHeader;
  }

  /** A builder for a filter that applies {@code enforcer}. */
  public static Builder builder(Enforcer enforcer) {
    return new Builder(enforcer);
  }

  /**
   * Registers this filter on {@code context} under {@value #NAME}: mapped to {@code /*} for every
   * dispatcher type (REQUEST, FORWARD, INCLUDE, ERROR, ASYNC), before every filter declared in
   * {@code web.xml} or a fragment, with async support. Filters registered programmatically run in
   * the order they were registered, so call this before registering any other filter.
   *
   * <p>Call it while the context starts: from a {@code ServletContainerInitializer} or a {@code
   * ServletContextListener} declared in {@code web.xml}, as the Servlet API requires.
   *
   * @return the registration, for adding init parameters
   * @throws IllegalStateException if a filter named {@value #NAME} is already registered, or the
   *     context has already been initialised
   */
  public FilterRegistration.Dynamic registerOn(ServletContext context) {
    requireNonNull(context, "context");
    FilterRegistration.Dynamic registration = context.addFilter(NAME, this);
    if (registration == null) {
      throw new IllegalStateException(
          "a filter named \"" + NAME + "\" is already registered on this servlet context");
    }
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");
    return registration;
  }

  /**
   * Remembers the context path of the application this filter guards.
   *
   * @throws ServletException if this instance already guards another application
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    String path = config.getServletContext().getContextPath();
    synchronized (this) {
      String current = contextPath;
      if (current != null && !current.equals(path)) {
        throw new ServletException(
            "one PlaneGuardFilter instance guards one application; create one per context");
      }
      contextPath = path;
    }
  }

  /**
   * Decides this dispatch; invokes the chain only if it is allowed.
   *
   * @throws ServletException for a request that is not HTTP, a refused include, or a refusal that
   *     can no longer be written because the response is committed; in each case the chain has not
   *     been invoked
   */
  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      throw new ServletException("planeguard only serves HTTP requests");
    }
    String context = contextPath;
    if (context == null) {
      throw new ServletException("PlaneGuardFilter was not initialised by the container");
    }
    Decision decision = enforcer.admit(ServletRequestView.of(request, context, requestIdHeader));
    if (!decision.allowed()) {
      refuse(request, response, decision);
      return;
    }
    // Each dispatch is decided on its own target; an include returns to the including dispatch,
    // whose decision must be the one in force again.
    Object previous = request.getAttribute(DECISION_ATTRIBUTE);
    request.setAttribute(DECISION_ATTRIBUTE, decision);
    // What the handler records belongs to the request's first allowed dispatch.
    if (request.getAttribute(FIRST_DECISION_ATTRIBUTE) == null) {
      request.setAttribute(FIRST_DECISION_ATTRIBUTE, decision);
    }
    if (!response.isCommitted()) {
      // What is left of the caller's limits, with the allowed response (IETF httpapi draft).
      decision.forEachRateLimitHeader(response::setHeader);
    }
    boolean failed = true;
    try {
      Principal principal = decision.principal();
      if (principal == null) {
        chain.doFilter(request, response);
      } else {
        request.setAttribute(PRINCIPAL_ATTRIBUTE, principal);
        chain.doFilter(new AuthenticatedRequest(request, principal, authType(principal)), response);
      }
      failed = false;
    } finally {
      if (request.getDispatcherType() == DispatcherType.INCLUDE) {
        request.setAttribute(DECISION_ATTRIBUTE, previous);
      }
      finish(request, response, decision, failed);
    }
  }

  /**
   * Records the allow's audit event once the response is complete: now, or when an asynchronous
   * request completes. A handler that threw is recorded with status 500, what the container
   * answers.
   */
  private void finish(
      HttpServletRequest request, HttpServletResponse response, Decision decision, boolean failed) {
    if (!failed && request.isAsyncStarted()) {
      request
          .getAsyncContext()
          .addListener(
              new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                  enforcer.finish(decision, response.getStatus());
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                  enforcer.finish(decision, 503);
                }

                @Override
                public void onError(AsyncEvent event) {
                  enforcer.finish(decision, 500);
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                  event.getAsyncContext().addListener(this);
                }
              });
      return;
    }
    enforcer.finish(decision, failed ? 500 : response.getStatus());
  }

  /**
   * Where the handler of the current request records what it knows about it, for its entry in the
   * audit trail ({@link AuditAttributes}: purpose, model, token counts, cost, success); {@code
   * null} if planeguard did not allow the request (no filter ran, or it was refused).
   */
  public static @Nullable AuditAttributes auditAttributes(ServletRequest request) {
    return request.getAttribute(FIRST_DECISION_ATTRIBUTE) instanceof Decision d
        ? d.auditAttributes()
        : null;
  }

  /**
   * Confirms, once a framework behind this filter has chosen the handler of the current dispatch,
   * that the rule this filter applied covers it (decision row 18, {@link Enforcer#confirm}): call
   * it from the framework's last hook before the handler runs, for example a Spring MVC {@code
   * HandlerInterceptor}. The request is the one the framework dispatches, so a method override is
   * seen and decided again on the method the framework will serve.
   *
   * @param handler the entry of the chosen handler in a {@link dev.planeguard.RouteCoverage} of
   *     this filter's enforcer
   * @return {@code true} if the handler may run; {@code false} if a refusal was written and the
   *     handler must not run
   * @throws ServletException for a refused include, or if the response is already committed; the
   *     handler must not run
   */
  public boolean confirm(
      HttpServletRequest request, HttpServletResponse response, RouteCoverage.Entry handler)
      throws IOException, ServletException {
    String context = contextPath;
    if (context == null) {
      // Another instance guards the chain; the application's own context path is the same one.
      context = request.getServletContext().getContextPath();
    }
    Decision admitted = request.getAttribute(DECISION_ATTRIBUTE) instanceof Decision d ? d : null;
    Decision decision =
        enforcer.confirm(
            ServletRequestView.of(request, context, requestIdHeader), admitted, handler);
    if (decision.allowed()) {
      if (decision != admitted) {
        request.setAttribute(DECISION_ATTRIBUTE, decision);
      }
      return true;
    }
    refuse(request, response, decision);
    return false;
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, Decision decision)
      throws IOException, ServletException {
    DispatcherType type = request.getDispatcherType();
    if (type == DispatcherType.INCLUDE) {
      throw new ServletException("planeguard refused an included resource: " + decision.reason());
    }
    if (response.isCommitted()) {
      throw new ServletException(
          "planeguard refused a "
              + type
              + " dispatch after the response was committed: "
              + decision.reason());
    }
    Refusal refusal =
        type == DispatcherType.ERROR
            ? Refusal.plain(errorStatus(request))
            : Refusal.of(decision, realm, enforcer.machineKeyHeader());
    write(response, refusal);
  }

  private static int errorStatus(HttpServletRequest request) {
    Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    return status instanceof Integer code && code >= 400 && code <= 599 ? code : 500;
  }

  private static void write(HttpServletResponse response, Refusal refusal) throws IOException {
    response.resetBuffer();
    response.setStatus(refusal.status());
    refusal.forEachHeader(
        (name, value) -> {
          // The typed setters, so the container knows the type and length it sends.
          switch (name) {
            case "Content-Type" -> response.setContentType(value);
            case "Content-Length" -> response.setContentLength(refusal.contentLength());
            default -> response.setHeader(name, value);
          }
        });
    try {
      refusal.writeBody(response.getOutputStream());
    } catch (IllegalStateException writerAlreadyInUse) {
      // A forwarding servlet took the writer before forwarding; the body is ASCII either way.
      response.getWriter().write(refusal.body());
    }
  }

  private static String authType(Principal principal) {
    if (principal instanceof HumanPrincipal) {
      return BEARER_AUTH;
    }
    if (principal instanceof MachinePrincipal) {
      return API_KEY_AUTH;
    }
    return SANDBOX_KEY_AUTH;
  }

  /** Realm and request id header; never a credential. */
  @Override
  public String toString() {
    return "PlaneGuardFilter{realm="
        + realm
        + (requestIdHeader == null ? "" : ", requestIdHeader=" + requestIdHeader)
        + "}";
  }

  /** Settings of a {@link PlaneGuardFilter}. */
  public static final class Builder {

    private final Enforcer enforcer;
    private String realm = DEFAULT_REALM;
    private @Nullable String requestIdHeader;

    private Builder(Enforcer enforcer) {
      this.enforcer = requireNonNull(enforcer, "enforcer");
    }

    /**
     * The {@code realm} of {@code WWW-Authenticate}; {@value PlaneGuardFilter#DEFAULT_REALM} by
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
     * X-Request-Id} set by your proxy). By default the container's {@code
     * ServletRequest.getRequestId()} is used. The value is client-controlled unless a proxy sets
     * it; the engine escapes and caps it before it is recorded.
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
    public PlaneGuardFilter build() {
      return new PlaneGuardFilter(this);
    }
  }
}
