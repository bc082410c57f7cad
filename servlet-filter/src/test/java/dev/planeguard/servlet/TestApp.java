package dev.planeguard.servlet;

import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.KeyVerifier;
import dev.planeguard.Policy;
import dev.planeguard.TokenVerifier;
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
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One application (servlet context) of the test server: an enforcer whose audit events are kept,
 * the filter registered first, a counting filter registered after it, and handler servlets that
 * record every time they run. Installed the same way on Tomcat and Jetty, through a {@link
 * ServletContainerInitializer}.
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

  final String contextPath;
  final Policy policy;
  final Enforcer enforcer;
  final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
  final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger laterFilterRuns = new AtomicInteger();
  volatile Exception secondRegistration;
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
            .build();
    this.filterSettings = filterSettings;
  }

  /** Maps a servlet that records a hit under {@code name} and answers 200 text. */
  TestApp handler(String name, String... mappings) {
    HttpServlet servlet = new Handler(name);
    for (String mapping : mappings) {
      servlets.put(mapping, servlet);
    }
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

  /** Maps a servlet that writes {@code included:} and includes {@code target}. */
  TestApp includer(String mapping, String target) {
    servlets.put(
        mapping,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            resp.setContentType("text/plain");
            resp.getWriter().write("included:");
            req.getRequestDispatcher(target).include(req, resp);
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
    builder.build().registerOn(context);
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

  /** A filter registered after planeguard: it must never run for a refused dispatch. */
  private final class CountingFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      laterFilterRuns.incrementAndGet();
      chain.doFilter(request, response);
    }
  }

  /** Records the hit and answers {@code handler=<name> path=<containerPath>}. */
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
