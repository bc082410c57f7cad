package dev.planeguard.servlet;

import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.Policy;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.ManualClock;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One application (servlet context) of the test server: an enforcer whose audit events are kept,
 * the filter registered first, a counting filter registered after it, handler servlets that record
 * every time they run, and optionally a {@linkplain #router router}: a tiny framework that chooses
 * its handlers itself and confirms each choice with the filter. Installed the same way on Tomcat
 * and Jetty, through a {@link ServletContainerInitializer}.
 */
final class TestApp implements ServletContainerInitializer {

  /**
   * A handler ran: which one, in which dispatch, on which container path, and what it saw of the
   * caller: {@code getRemoteUser()}, {@code getAuthType()}, the class of {@code
   * getUserPrincipal()}, the id of the principal attribute, and which of {@link #ROLES} {@code
   * isUserInRole} granted.
   */
  record Hit(
      String handler,
      DispatcherType type,
      String containerPath,
      String user,
      String authType,
      String principalType,
      String principalAttribute,
      List<String> roles) {}

  /** The roles every handler asks {@code isUserInRole} about. */
  static final List<String> ROLES = List.of("runs:write", "admin", "**");

  /** A hit without a caller. */
  static Hit anonymous(String handler, DispatcherType type, String containerPath) {
    return new Hit(handler, type, containerPath, "null", "null", "null", "null", List.of());
  }

  /**
   * What a servlet saw in {@link PlaneGuardFilter#DECISION_ATTRIBUTE}: a handler when it ran, and
   * an including servlet before and after its include.
   */
  record Seen(String servlet, DispatcherType type, @Nullable Object decision) {}

  /**
   * One handler of the {@linkplain #router router}: it serves {@code method} on the context paths
   * {@code path} matches, and {@code description} is how the router describes it to {@link
   * RouteCoverage}.
   */
  record Route(String handler, String method, Pattern path, RouteCoverage.Handler description) {

    /**
     * A route whose mapping is {@code written} in the router's own syntax and {@code pattern} in
     * policy syntax (wider than the router's if they differ), with the plane its handler declares.
     */
    static Route of(
        String handler,
        String method,
        String regex,
        String written,
        String pattern,
        RouteDeclarations.@Nullable Declared declared) {
      return new Route(
          handler,
          method,
          Pattern.compile(regex),
          new RouteCoverage.Handler(
              handler,
              List.of(new RouteCoverage.PathMapping(written, pattern, !written.equals(pattern))),
              Set.of(method),
              Optional.ofNullable(declared),
              false));
    }
  }

  final String contextPath;
  final Policy policy;
  final Enforcer enforcer;
  final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
  final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
  final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger laterFilterRuns = new AtomicInteger();
  // Requests the container started and finished with (after every filter's finally and, for an
  // asynchronous request, after it completed): an allow is audited when its response is complete.
  final AtomicInteger requestsStarted = new AtomicInteger();
  final AtomicInteger requestsDone = new AtomicInteger();
  volatile Exception secondRegistration;

  /** The filter instance registered on the context, which the router confirms its handlers with. */
  volatile PlaneGuardFilter filter;

  /** The router's handlers, in its order, and their coverage under {@link Enforcer#policy()}. */
  private final List<Route> routes = new ArrayList<>();

  RouteCoverage coverage;
  final Map<Integer, String> errorPages = new LinkedHashMap<>();
  private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
  private final Consumer<PlaneGuardFilter.Builder> filterSettings;

  TestApp(
      String contextPath,
      String policy,
      TokenVerifier tokens,
      KeyVerifier keys,
      Consumer<PlaneGuardFilter.Builder> filterSettings) {
    this.contextPath = contextPath;
    this.policy = Policy.parse(policy, "test.policy");
    this.enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(this.policy)
            .tokenVerifier(tokens)
            .machineKeyVerifier(keys)
            .auditSink(audit::add)
            .admission(
                dev.planeguard.Admission.builder()
                    .clock(ADMISSION_CLOCK)
                    .tenantBudgetCents(FilterSuite.SPENDING_TENANT, FilterSuite.BUDGET_CENTS)
                    .build())
            .build();
    this.filterSettings = filterSettings;
  }

  /**
   * The clock of every app's rate limits and budgets: it moves only when a test says so, so that a
   * window refills without waiting.
   */
  static final ManualClock ADMISSION_CLOCK =
      new ManualClock(java.time.Instant.parse("2026-12-06T10:00:00Z"));

  /** Maps a servlet that records a hit under {@code name} and answers 200 text. */
  TestApp handler(String name, String... mappings) {
    HttpServlet servlet = new Handler(name);
    for (String mapping : mappings) {
      servlets.put(mapping, servlet);
    }
    return this;
  }

  /**
   * Maps a servlet that only implements {@code doGet}, recording a hit like {@link #handler}: the
   * container answers {@code HEAD} through {@code HttpServlet.doHead}, which calls it.
   */
  TestApp getHandler(String name, String... mappings) {
    Handler handler = new Handler(name);
    HttpServlet servlet =
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            handler.service(req, resp);
          }
        };
    for (String mapping : mappings) {
      servlets.put(mapping, servlet);
    }
    return this;
  }

  /**
   * Maps a router at {@code mapping}: a servlet that, like a web framework, matches the request
   * against its routes in order by its own rules (a regular expression on the context path),
   * confirms the first that matches with {@link PlaneGuardFilter#confirm} and runs its handler only
   * if that returns {@code true}. A {@code POST} with a {@code _method} query parameter is served
   * as that method, as {@code HiddenHttpMethodFilter} does: the route is chosen for, and confirmed
   * with, a request wrapper whose {@code getMethod()} answers the override.
   */
  TestApp router(String mapping, Route... chosen) {
    routes.addAll(List.of(chosen));
    coverage =
        RouteCoverage.of(enforcer.policy(), routes.stream().map(Route::description).toList());
    servlets.put(mapping, new Router());
    return this;
  }

  /** Maps a servlet that forwards to {@code target}. */
  TestApp forwarder(String mapping, String target) {
    servlets.put(
        mapping,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            req.getRequestDispatcher(target).forward(req, resp);
          }
        });
    return this;
  }

  /**
   * Maps a servlet that writes {@code included:} and includes {@code target}, recording what it
   * sees as {@code includer} before and after the include.
   */
  TestApp includer(String mapping, String target) {
    servlets.put(
        mapping,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            see("includer", req);
            resp.setContentType("text/plain");
            resp.getWriter().write("included:");
            req.getRequestDispatcher(target).include(req, resp);
            see("includer", req);
          }
        });
    return this;
  }

  /** Maps a servlet that starts async processing and dispatches to {@code target}. */
  TestApp asyncDispatcher(String mapping, String target) {
    servlets.put(
        mapping,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp) {
            if (req.getDispatcherType() != DispatcherType.REQUEST) {
              throw new IllegalStateException("dispatched back to the async servlet");
            }
            AsyncContext async = req.startAsync();
            async.dispatch(target);
          }
        });
    return this;
  }

  /** Maps a servlet that answers with {@code sendError(status)}. */
  TestApp failer(String mapping, int status) {
    servlets.put(
        mapping,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            resp.sendError(status);
          }
        });
    return this;
  }

  /** Sends errors with this status to the error page at {@code location}. */
  TestApp errorPage(int status, String location) {
    errorPages.put(status, location);
    return this;
  }

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    PlaneGuardFilter.Builder builder = PlaneGuardFilter.builder(enforcer);
    filterSettings.accept(builder);
    filter = builder.build();
    filter.registerOn(context);
    context.addListener(
        new ServletRequestListener() {
          @Override
          public void requestInitialized(ServletRequestEvent event) {
            requestsStarted.incrementAndGet();
          }

          @Override
          public void requestDestroyed(ServletRequestEvent event) {
            requestsDone.incrementAndGet();
          }
        });
    try {
      new PlaneGuardFilter(enforcer).registerOn(context);
    } catch (IllegalStateException expected) {
      secondRegistration = expected;
    }
    FilterRegistration.Dynamic later = context.addFilter("later", new CountingFilter());
    later.setAsyncSupported(true);
    later.addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");
    Map<HttpServlet, ServletRegistration.Dynamic> registered = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, HttpServlet> e : servlets.entrySet()) {
      ServletRegistration.Dynamic r = registered.get(e.getValue());
      if (r == null) {
        r = context.addServlet("servlet-" + i++, e.getValue());
        r.setAsyncSupported(true);
        registered.put(e.getValue(), r);
      }
      r.addMapping(e.getKey());
    }
  }

  /** Records what {@code servlet} sees in the decision attribute now. */
  private void see(String servlet, HttpServletRequest req) {
    seen.add(
        new Seen(
            servlet,
            req.getDispatcherType(),
            req.getAttribute(PlaneGuardFilter.DECISION_ATTRIBUTE)));
  }

  /** The servlet of {@link #router}. */
  private final class Router extends HttpServlet {
    private final List<Handler> handlers =
        routes.stream().map(route -> new Handler(route.handler())).toList();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      HttpServletRequest request = req;
      String override = req.getParameter("_method");
      if (req.getMethod().equals("POST") && override != null) {
        String method = override.toUpperCase(Locale.ROOT);
        request =
            new HttpServletRequestWrapper(req) {
              @Override
              public String getMethod() {
                return method;
              }
            };
      }
      String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
      for (int i = 0; i < routes.size(); i++) {
        Route route = routes.get(i);
        if (route.method().equals(request.getMethod()) && route.path().matcher(path).matches()) {
          if (filter.confirm(request, resp, coverage.entry(i))) {
            handlers.get(i).service(request, resp);
          }
          return;
        }
      }
      resp.setStatus(404);
    }
  }

  /** A filter registered after planeguard: it must never run for a refused dispatch. */
  private final class CountingFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      laterFilterRuns.incrementAndGet();
      chain.doFilter(request, response);
    }
  }

  /**
   * Records the hit and the decision attribute it sees, and answers {@code handler=<name>
   * path=<containerPath>}.
   */
  private final class Handler extends HttpServlet {
    private final String name;

    Handler(String name) {
      this.name = name;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path;
      if (req.getDispatcherType() == DispatcherType.INCLUDE) {
        Object sp = req.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
        Object pi = req.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
        path = (sp == null ? "" : sp.toString()) + (pi == null ? "" : pi.toString());
      } else {
        path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
      }
      java.security.Principal principal = req.getUserPrincipal();
      Object attribute = req.getAttribute(PlaneGuardFilter.PRINCIPAL_ATTRIBUTE);
      List<String> roles = new ArrayList<>();
      for (String role : ROLES) {
        if (req.isUserInRole(role)) {
          roles.add(role);
        }
      }
      hits.add(
          new Hit(
              name,
              req.getDispatcherType(),
              path,
              String.valueOf(req.getRemoteUser()),
              String.valueOf(req.getAuthType()),
              principal == null ? "null" : principal.getClass().getSimpleName(),
              attribute instanceof dev.planeguard.Principal p ? p.id() : String.valueOf(attribute),
              List.copyOf(roles)));
      see(name, req);
      String charge = req.getHeader("X-Test-Charge-Cents");
      if (charge != null) {
        // What an application does with the cost of a call: record it, and its tenant is charged.
        java.util.Objects.requireNonNull(PlaneGuardFilter.auditAttributes(req))
            .costCents(Long.parseLong(charge));
      }
      DispatcherType type = req.getDispatcherType();
      if (type != DispatcherType.INCLUDE) {
        if (type != DispatcherType.ERROR) {
          resp.setStatus(200);
        }
        resp.setContentType("text/plain;charset=UTF-8");
        resp.setHeader("X-Handler", name);
      }
      resp.getWriter().write("handler=" + name + " path=" + path);
    }
  }
}
