package dev.planeguard.spring.apps;

import dev.planeguard.AuditAttributes;
import dev.planeguard.Principal;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.annotation.PublicRoute;
import dev.planeguard.spring.PlaneGuardAuthentication;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Small applications for the starter's HTTP tests; no component scanning, everything imported. */
public final class Apps {

  private Apps() {}

  /** Spring Security with method security, stateless, everything authenticated but /healthz. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMethodSecurity
  @Import(SecuredController.class)
  public static class Secured {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              a -> a.requestMatchers("/healthz").permitAll().anyRequest().authenticated())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .csrf(c -> c.disable())
          .build();
    }
  }

  @RestController
  public static class SecuredController {
    @GetMapping("/api/v1/accounts/me")
    public Map<String, Object> me() {
      return caller();
    }

    @GetMapping("/api/v1/telemetry/caller")
    public Map<String, Object> machine() {
      return caller();
    }

    /** Human plane by the policy; people only, so sandbox keys are refused here. */
    @GetMapping("/api/v1/accounts/people-only")
    @PreAuthorize("hasAuthority('" + PlaneGuardAuthentication.PLANE_HUMAN + "')")
    public String peopleOnly() {
      return "person";
    }

    /** The authorities in the order the authentication gives them. */
    private static Map<String, Object> caller() {
      Authentication auth = SecurityContextHolder.getContext().getAuthentication();
      return Map.of(
          "type", auth.getClass().getSimpleName(),
          "name", auth.getName(),
          "principal", ((Principal) auth.getPrincipal()).plane().id(),
          "authorities",
              auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList());
    }

    @PostMapping("/api/v1/runs")
    @PreAuthorize("hasAuthority('" + PlaneGuardAuthentication.SCOPE_PREFIX + "runs:write')")
    public String create() {
      return "created";
    }

    @GetMapping("/healthz")
    public String health() {
      return "ok";
    }
  }

  /** Planes declared on handlers only. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Annotated.class})
  public static class AnnotatedApp {}

  @RestController
  @HumanPlane
  public static class Annotated {
    @GetMapping("/api/v1/accounts/me")
    public String me() {
      return "me";
    }

    @PostMapping("/api/v1/telemetry/events")
    @MachinePlane(scopes = "telemetry:write")
    public String telemetry() {
      return "accepted";
    }

    @GetMapping("/api/v1/status")
    @PublicRoute
    public String status() {
      return "ok";
    }

    @GetMapping("/api/v1/accounts/{id}/delete")
    @DenyAll
    public String never() {
      return "deleted";
    }

    @GetMapping("/api/v1/accounts/{id}/reports")
    @RolesAllowed("reports:read")
    public String reports() {
      return "reports";
    }
  }

  /** A handler with a role but no plane: uncovered. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({RoleOnly.class, Annotated.class})
  public static class RoleOnlyApp {}

  @RestController
  public static class RoleOnly {
    @GetMapping("/api/v1/admin")
    @RolesAllowed("admin")
    public List<String> admin() {
      return List.of();
    }
  }

  /**
   * A machine API as a service would write it: planes on the handlers, Spring Security stateless
   * without CSRF (header credentials, no cookies), keys from the JDBC store.
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Runs.class)
  public static class MachineApi {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .csrf(c -> c.disable())
          .build();
    }
  }

  @RestController
  @MachinePlane
  public static class Runs {
    @PostMapping("/api/v1/runs")
    @MachinePlane(scopes = "runs:write")
    public String create(AuditAttributes audit) {
      audit.purpose("nightly-eval").model("m-1").inputTokens(12).success(true);
      return "created";
    }
  }
}
