package dev.planeguard.samples.boot;

import dev.planeguard.samples.support.DemoControllers;
import dev.planeguard.samples.support.DemoModel;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo's debug routes on Spring MVC; its other routes are {@link DemoControllers}, which Spring
 * MVC and WebFlux serve alike.
 */
final class DemoApi {

  private DemoApi() {}

  /** Debug routes: human plane, 404 in prod. */
  @RestController
  static class Debug {
    @GetMapping({"/__debug/openapi_inspect", "/__debug/openapi_nocache"})
    Map<String, Object> inspect(HttpServletRequest request) {
      return Map.of("route", request.getServletPath(), "routes", DemoModel.ROUTES);
    }
  }
}
