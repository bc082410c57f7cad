package dev.planeguard.servlet;

import dev.planeguard.Access;
import dev.planeguard.Principal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.contract.ContractApp;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract's application on the Servlet API: planeguard's filter in front of a router servlet
 * that matches the contract's routes itself, as a framework would, and confirms the handler it
 * chooses with {@link PlaneGuardFilter#confirm}.
 */
final class ContractRouter implements ServletContainerInitializer {

  private static final Pattern VARIABLE = Pattern.compile("\\{(\\*?)([a-z]+)(?::([^}]+))?}");

  private final ContractApp app;

  ContractRouter(ContractApp app) {
    this.app = app;
  }

  /** A route as the router matches it. */
  private record Compiled(ContractApp.Route route, Pattern regex) {}

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    PlaneGuardFilter filter =
        PlaneGuardFilter.builder(app.enforcer())
            .realm(app.realm())
            .requestIdHeader(app.requestIdHeader())
            .build();
    filter.registerOn(context);
    List<Compiled> routes = new ArrayList<>();
    List<RouteCoverage.Handler> handlers = new ArrayList<>();
    for (ContractApp.Route route : app.routes()) {
      routes.add(new Compiled(route, Pattern.compile(regex(route.path()))));
      String pattern =
          VARIABLE.matcher(route.path()).replaceAll(m -> m.group(1).isEmpty() ? "*" : "**");
      handlers.add(
          new RouteCoverage.Handler(
              route.name(),
              List.of(
                  new RouteCoverage.PathMapping(route.path(), pattern, route.path().contains(":"))),
              route.methods(),
              Optional.ofNullable(route.declared())
                  .map(
                      plane ->
                          new RouteDeclarations.Declared(
                              plane == dev.planeguard.Plane.HUMAN ? Access.HUMAN : Access.MACHINE,
                              plane,
                              Set.of())),
              false));
    }
    RouteCoverage coverage = RouteCoverage.of(app.enforcer().policy(), handlers);
    context
        .addServlet(
            "router",
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest req, HttpServletResponse res)
                  throws IOException, jakarta.servlet.ServletException {
                String path =
                    req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
                String method = req.getMethod();
                String served = method.equals("HEAD") ? "GET" : method;
                for (int i = 0; i < routes.size(); i++) {
                  Compiled c = routes.get(i);
                  if (c.route().methods().contains(served) && c.regex().matcher(path).matches()) {
                    if (!filter.confirm(req, res, coverage.entry(i))) {
                      return;
                    }
                    byte[] body =
                        app.handle(c.route().name(), method, (Principal) req.getUserPrincipal())
                            .getBytes(StandardCharsets.UTF_8);
                    res.setContentType("text/plain");
                    res.setContentLength(body.length);
                    if (!method.equals("HEAD")) {
                      res.getOutputStream().write(body);
                    }
                    return;
                  }
                }
                res.setStatus(404);
              }
            })
        .addMapping("/");
  }

  /** The route's path as a regular expression over the decoded path. */
  private static String regex(String path) {
    StringBuilder sb = new StringBuilder();
    Matcher m = VARIABLE.matcher(path);
    int at = 0;
    while (m.find()) {
      sb.append(Pattern.quote(path.substring(at, m.start())));
      sb.append(!m.group(1).isEmpty() ? ".+" : m.group(3) != null ? m.group(3) : "[^/]+");
      at = m.end();
    }
    return sb.append(Pattern.quote(path.substring(at))).toString();
  }
}
