package dev.planeguard.webflux;

import dev.planeguard.Access;
import dev.planeguard.Plane;
import dev.planeguard.Principal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;
import dev.planeguard.webflux.internal.TestServers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.netty.DisposableServer;

/**
 * The adapter contract on Reactor Netty: every route of the contract's application is a WebFlux
 * functional route (the contract's path syntax is WebFlux's own), behind {@link
 * PlaneGuardWebFilter}, with {@link DispatchConfirmation} confirming the handler WebFlux chooses
 * against the coverage {@link WebFluxHandlers} computes from WebFlux's own router model. A plane a
 * route declares is given to its handler as an annotation on a controller method would give it.
 */
class WebFluxAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    return serve(
        app,
        handler -> {
          DisposableServer server = TestServers.reactorNetty(handler);
          return new Running(server::port, server::disposeNow);
        });
  }

  /** Starts a server for the application's handler. */
  interface Start {
    Running start(HttpHandler handler) throws Exception;
  }

  /** A started server: the port it listens on, and how it stops. */
  record Running(IntSupplier port, AutoCloseable stop) {}

  /**
   * The contract's application on the server {@code start} starts with its handler. Closing stops
   * the server, then the application context; a server that fails to start closes the context too.
   */
  static ContractServer serve(ContractApp app, Start start) throws Exception {
    AnnotationConfigApplicationContext context = context(app);
    Running running;
    try {
      running = start.start(WebHttpHandlerBuilder.applicationContext(context).build());
    } catch (Exception e) {
      context.close();
      throw e;
    }
    return new ContractServer() {
      @Override
      public int port() {
        return running.port().getAsInt();
      }

      @Override
      public void close() {
        try {
          running.stop().close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          context.close();
        }
      }
    };
  }

  /** The contract's application as a WebFlux application context, on any server. */
  static AnnotationConfigApplicationContext context(ContractApp app) {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.registerBean(ContractApp.class, () -> app);
    context.register(Config.class);
    context.refresh();
    return context;
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebFlux
  static class Config {

    @Bean
    RouterFunction<ServerResponse> contractRoutes(ContractApp app) {
      RouterFunctions.Builder routes = RouterFunctions.route();
      for (ContractApp.Route route : app.routes()) {
        Set<HttpMethod> methods = new LinkedHashSet<>();
        route.methods().forEach(m -> methods.add(HttpMethod.valueOf(m)));
        if (methods.contains(HttpMethod.GET)) {
          // A functional GET route does not serve HEAD by itself, as a controller's GET does.
          methods.add(HttpMethod.HEAD);
        }
        routes.route(
            RequestPredicates.methods(methods.toArray(HttpMethod[]::new))
                .and(RequestPredicates.path(route.path())),
            request -> {
              Principal principal =
                  request.exchange().getAttribute(PlaneGuardWebFilter.PRINCIPAL_ATTRIBUTE);
              String body = app.handle(route.name(), request.method().name(), principal);
              return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(body);
            });
      }
      return routes.build();
    }

    @Bean
    PlaneGuardWebFilter planeGuardWebFilter(ContractApp app) {
      return PlaneGuardWebFilter.builder(app.enforcer())
          .realm(app.realm())
          .requestIdHeader(app.requestIdHeader())
          .build();
    }

    @Bean
    static DispatchConfirmation planeGuardDispatch(
        ObjectProvider<PlaneGuardWebFilter> filter,
        ObjectProvider<ContractApp> app,
        org.springframework.context.ApplicationContext context) {
      SingletonSupplier<WebFluxHandlers> handlers =
          SingletonSupplier.of(() -> WebFluxHandlers.of(context));
      return new DispatchConfirmation(
          filter::getObject, handlers, () -> coverage(app.getObject(), handlers.obtain()));
    }
  }

  /** WebFlux's description of the routes, with the planes the routes declare. */
  static RouteCoverage coverage(ContractApp app, WebFluxHandlers handlers) {
    List<RouteCoverage.Handler> declared = new ArrayList<>();
    for (RouteCoverage.Handler h : handlers.handlers()) {
      Optional<RouteDeclarations.Declared> plane = h.declared();
      for (ContractApp.Route route : app.routes()) {
        Plane p = route.declared();
        if (p != null && h.paths().stream().anyMatch(m -> m.written().equals(route.path()))) {
          plane =
              Optional.of(
                  new RouteDeclarations.Declared(
                      p == Plane.HUMAN ? Access.HUMAN : Access.MACHINE, p, Set.of()));
        }
      }
      declared.add(
          new RouteCoverage.Handler(h.origin(), h.paths(), h.methods(), plane, h.conditional()));
    }
    return RouteCoverage.of(app.enforcer().policy(), declared);
  }
}
