package dev.planeguard.spring;

import dev.planeguard.Enforcer;
import dev.planeguard.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * Actuator endpoint {@value #ID}: the route → plane table with each rule's origin, and the handlers
 * no rule covers. The starter maps it as a {@code debug plane=human} route, so it needs a human
 * token and answers 404 in prod like every debug route. Expose it like any endpoint ({@code
 * management.endpoints.web.exposure.include=planeguard}).
 */
@Endpoint(id = PlaneGuardEndpoint.ID)
final class PlaneGuardEndpoint {

  static final String ID = "planeguard";

  private final ObjectProvider<Enforcer> enforcers;
  private final ObjectProvider<PlaneGuardSetup> setups;

  /**
   * Looks its sources up when read: the endpoint's handler mapping exists before the enforcer,
   * whose route coverage reads that mapping.
   */
  PlaneGuardEndpoint(ObjectProvider<Enforcer> enforcers, ObjectProvider<PlaneGuardSetup> setups) {
    this.enforcers = enforcers;
    this.setups = setups;
  }

  @ReadOperation
  public Map<String, Object> routes() {
    Enforcer enforcer = enforcers.getObject();
    PlaneGuardSetup setup = setups.getIfAvailable();
    List<String> uncovered = setup == null ? List.of() : setup.uncovered;
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Rule rule : enforcer.policy().rules()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("access", rule.access().id());
      r.put("pattern", rule.pattern());
      r.put("methods", List.copyOf(rule.methods()));
      r.put("scopes", List.copyOf(rule.scopes()));
      r.put("plane", rule.plane() == null ? "none" : rule.plane().id());
      r.put("origin", enforcer.policy().origin(rule));
      rules.add(r);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("mode", enforcer.contract().mode().name().toLowerCase(Locale.ROOT));
    body.put("rules", rules);
    body.put("uncovered", uncovered);
    return body;
  }
}
