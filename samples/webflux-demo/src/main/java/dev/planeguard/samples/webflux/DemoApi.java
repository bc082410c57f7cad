package dev.planeguard.samples.webflux;

import dev.planeguard.samples.support.DemoControllers;
import dev.planeguard.samples.support.DemoModel;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * The demo's debug routes on Spring WebFlux; its other routes are {@link DemoControllers}, which
 * Spring MVC and WebFlux serve alike.
 */
final class DemoApi {

  private DemoApi() {}

  /** Debug routes: human plane, 404 in prod. */
  @RestController
  static class Debug {
    @GetMapping({"/__debug/openapi_inspect", "/__debug/openapi_nocache"})
    Map<String, Object> inspect(ServerWebExchange exchange) {
      String route = exchange.getRequest().getPath().pathWithinApplication().value();
      return Map.of("route", route, "routes", DemoModel.ROUTES);
    }
  }
}
