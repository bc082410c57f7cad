package dev.planeguard.jaxrs;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Enforcer;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Principal;
import dev.planeguard.Refusal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.jaxrs.internal.DispatchFilter;
import dev.planeguard.jaxrs.internal.EdgeFilter;
import dev.planeguard.jaxrs.internal.Guard;
import dev.planeguard.jaxrs.internal.RefusalWriter;
import dev.planeguard.jaxrs.internal.ResponseGuard;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;
import java.util.IdentityHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Enforces planeguard in a Jakarta REST 3.1 application (Jersey, RESTEasy): registered once, it
 * decides every request before the runtime matches it, confirms the resource method the runtime
 * matched, and answers refusals with the same bytes as the servlet filter. It holds no policy of
 * its own.
 * <!-- example: PlaneGuardFeature.register -->
 *
 * <pre>{@code
 * ResourceConfig config = new ResourceConfig(OrdersResource.class, HealthResource.class);
 * ResourceModel resources = ResourceModel.of(config);
 * PlaneGuard planeguard =
 *     PlaneGuard.assemble(
 *         resources.addTo(PlaneGuardSettings.fromEnvironment(System.getenv())).build());
 * config.register(PlaneGuardFeature.builder(planeguard, resources).realm("orders").build());
 * // ... start the server; planeguard.close() when the application stops
 * }</pre>
 *
 * <h2>What it registers</h2>
 *
 * <ul>
 *   <li>A {@code @PreMatching} request filter, first of all filters: it hands the engine the
 *       method, the raw request path ({@code UriInfo.getRequestUri().getRawPath()}, still
 *       percent-encoded) relative to the context root, the raw query, every value of the credential
 *       and tenant headers, and the runtime's decoded {@code UriInfo.getPath()}, which must equal
 *       the engine's own single decode of the raw path or the request is refused ({@code
 *       MALFORMED_REQUEST}).
 *   <li>A post-matching request filter, first of the post-matching ones: it confirms that the rule
 *       applied at the edge covers the resource method the runtime matched ({@code ResourceInfo}),
 *       for the method it will serve (decision row 18, {@link Enforcer#confirm}); otherwise the
 *       answer is 404 {@code DISPATCH_MISMATCH} and the method does not run. A resource method not
 *       in the {@link ResourceModel} is never covered. An automatic {@code OPTIONS} answer of the
 *       runtime is a framework answer: any rule that let the request through covers it.
 *   <li>A response filter that runs after every other one: it puts a refusal back exactly as the
 *       engine wrote it, adds {@code RateLimit-Policy} and {@code RateLimit} to allowed responses
 *       of a caller with rate limits, and records the allow's audit event with the status.
 *   <li>The writer of refusals: the body is the {@link Refusal}'s bytes, whatever entity providers
 *       the application has.
 * </ul>
 *
 * <h2>On allow</h2>
 *
 * <p>For an authenticated caller the request's {@code SecurityContext} answers {@code
 * getUserPrincipal()} with the planeguard {@link Principal}, {@code isUserInRole(scope)} from its
 * scopes, {@code getAuthenticationScheme()} with {@code Bearer}, {@code ApiKey} or {@code
 * SandboxKey}, and {@code isSecure()} as the runtime's own context did. The principal is also the
 * request property {@value #PRINCIPAL_PROPERTY}. A public route leaves the security context as it
 * is.
 *
 * <h2>On deny</h2>
 *
 * <p>The request is aborted: no resource method and no other request filter runs. The response is
 * the {@link Refusal} of the decision: status, {@code Content-Type: application/problem+json},
 * {@code Content-Length}, {@code Cache-Control: no-store}, {@code WWW-Authenticate} on 401, {@code
 * Retry-After} on 429 and 503, the rate limit headers on 429.
 *
 * <p>The allow's audit event is recorded when the response filters run. A resource method that
 * throws an exception no {@code ExceptionMapper} maps ends the request without response filters in
 * Jersey and RESTEasy: map every exception (an {@code ExceptionMapper<Throwable>}) so that such
 * requests are recorded too.
 *
 * <p>Instances are immutable and thread-safe; one instance guards one application.
 */
public final class PlaneGuardFeature implements Feature {

  /** The request property holding the {@link Principal} of an authenticated request. */
  public static final String PRINCIPAL_PROPERTY = Guard.PRINCIPAL_PROPERTY;

  /** The default {@code realm} of {@code WWW-Authenticate}, the servlet filter's. */
  public static final String DEFAULT_REALM = "api";

  // Filters registered at this priority run first among request filters and last among response
  // filters.
  private static final int FIRST = Integer.MIN_VALUE;

  private final Enforcer enforcer;
  private final String realm;
  private final @Nullable String requestIdHeader;
  private final ResourceModel resources;
  // By identity: the coverage keeps the very handler instances of the model.
  private final IdentityHashMap<RouteCoverage.Handler, RouteCoverage.Entry> entries;
  private final RouteCoverage coverage;

  /**
   * A feature with the default settings (see {@link Builder}) deciding with {@code planeguard}'s
   * enforcer and confirming with its coverage.
   *
   * @throws IllegalArgumentException if {@code resources}' handlers were not given to the settings
   *     {@code planeguard} was assembled from
   */
  public PlaneGuardFeature(PlaneGuard planeguard, ResourceModel resources) {
    this(builder(planeguard, resources));
  }

  private PlaneGuardFeature(Builder b) {
    this.enforcer = b.enforcer;
    this.realm = b.realm;
    this.requestIdHeader = b.requestIdHeader;
    this.resources = b.resources;
    this.coverage = b.coverage;
    IdentityHashMap<RouteCoverage.Handler, RouteCoverage.Entry> found = new IdentityHashMap<>();
    for (int i = 0; i < coverage.handlers().size(); i++) {
      found.put(coverage.handlers().get(i), coverage.entry(i));
    }
    for (RouteCoverage.Handler h : resources.handlers()) {
      if (!found.containsKey(h)) {
        throw new IllegalArgumentException(
            "the coverage does not know the resource method "
                + h.origin()
                + ": give ResourceModel.handlers() to the settings (ResourceModel.addTo) before"
                + " assembling planeguard");
      }
    }
    this.entries = found;
  }

  /** A builder for a feature deciding with {@code planeguard}. */
  public static Builder builder(PlaneGuard planeguard, ResourceModel resources) {
    requireNonNull(planeguard, "planeguard");
    return new Builder(planeguard.enforcer(), planeguard.coverage(), resources);
  }

  /**
   * A builder for an application that built its {@link Enforcer} itself and the coverage with
   * {@link PlaneGuard#cover}{@code (enforcer, resources.handlers(), resources.unmirrored())}.
   */
  public static Builder builder(
      Enforcer enforcer, RouteCoverage coverage, ResourceModel resources) {
    return new Builder(enforcer, coverage, resources);
  }

  /** Registers the filters and the refusal writer. */
  @Override
  public boolean configure(FeatureContext context) {
    Guard guard =
        new Guard(enforcer, realm, requestIdHeader, resources.applicationPath(), this::entry);
    context.register(new EdgeFilter(guard), FIRST);
    context.register(new DispatchFilter(guard), FIRST);
    context.register(new ResponseGuard(guard), FIRST);
    context.register(new RefusalWriter());
    return true;
  }

  private RouteCoverage.Entry entry(
      @Nullable Class<?> resourceClass, @Nullable Method method, String requestMethod) {
    if (resourceClass == null || method == null) {
      return coverage.unknown();
    }
    RouteCoverage.Handler handler = resources.handler(resourceClass, method);
    if (handler != null) {
      RouteCoverage.Entry entry = entries.get(handler);
      return entry == null ? coverage.unknown() : entry;
    }
    if (requestMethod.equals("OPTIONS") && isRuntime(resourceClass)) {
      return coverage.frameworkAnswer();
    }
    return coverage.unknown();
  }

  /** The runtime's own resources: Jersey's and RESTEasy's automatic OPTIONS answers. */
  private static boolean isRuntime(Class<?> type) {
    String name = type.getName();
    return name.startsWith("org.glassfish.jersey.") || name.startsWith("org.jboss.resteasy.");
  }

  /** Realm and request id header; never a credential. */
  @Override
  public String toString() {
    return "PlaneGuardFeature{realm="
        + realm
        + (requestIdHeader == null ? "" : ", requestIdHeader=" + requestIdHeader)
        + ", "
        + resources
        + "}";
  }

  /** Settings of a {@link PlaneGuardFeature}. */
  public static final class Builder {

    private final Enforcer enforcer;
    private final RouteCoverage coverage;
    private final ResourceModel resources;
    private String realm = DEFAULT_REALM;
    private @Nullable String requestIdHeader;

    @SuppressWarnings("ReferenceEquality") // entries confirm decisions of this very policy instance
    private Builder(Enforcer enforcer, RouteCoverage coverage, ResourceModel resources) {
      this.enforcer = requireNonNull(enforcer, "enforcer");
      this.coverage = requireNonNull(coverage, "coverage");
      this.resources = requireNonNull(resources, "resources");
      if (coverage.policy() != enforcer.policy()) {
        throw new IllegalArgumentException(
            "the coverage was computed for another policy than the enforcer's");
      }
    }

    /**
     * The {@code realm} of {@code WWW-Authenticate}; {@value PlaneGuardFeature#DEFAULT_REALM} by
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
     * X-Request-Id} set by your proxy); without it, events have no request id. The value is
     * client-controlled unless a proxy sets it; the engine escapes and caps it.
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

    /** The feature. */
    public PlaneGuardFeature build() {
      return new PlaneGuardFeature(this);
    }
  }
}
