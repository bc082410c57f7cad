package dev.planeguard.spring.apps;

import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.PublicRoute;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.HiddenHttpMethodFilter;

/**
 * Applications a new user would write, each with one way in which Spring MVC can choose another
 * handler than the rule planeguard applied describes. Every handler records that it ran.
 */
public final class ParityApps {

  /** The handlers that ran, in order. */
  public static final List<String> RAN = new CopyOnWriteArrayList<>();

  private ParityApps() {}

  /**
   * Spring Security as an application behind planeguard would configure it: stateless, no CSRF
   * (credentials travel in headers), everything permitted that planeguard let through.
   */
  @Configuration(proxyBeanMethods = false)
  public static class Stateless {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .csrf(c -> c.disable())
          .build();
    }
  }

  /** A regular expression and a suffix in public mappings beside protected catch-alls. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Docs.class, Stateless.class})
  public static class Widened {}

  @RestController
  public static class Docs {
    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping("/docs/{page:[a-z]+}")
    public String page(@PathVariable("page") String page) {
      RAN.add("Docs#page");
      return "page " + page;
    }

    @HumanPlane
    @GetMapping("/docs/**")
    public String all() {
      RAN.add("Docs#all");
      return "protected docs";
    }

    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping("/img/{name}.png")
    public String png(@PathVariable("name") String name) {
      RAN.add("Docs#png");
      return "png " + name;
    }

    @HumanPlane
    @GetMapping("/img/**")
    public String img() {
      RAN.add("Docs#img");
      return "protected image";
    }
  }

  /** A public handler inside a protected catch-all, without {@code carveOut = true}. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Files.class, Stateless.class})
  public static class UnmarkedHole {}

  @RestController
  public static class Files {
    @PublicRoute
    @GetMapping("/files/brochure")
    public String brochure() {
      RAN.add("Files#brochure");
      return "brochure";
    }

    @HumanPlane
    @GetMapping("/files/**")
    public String all() {
      RAN.add("Files#all");
      return "protected file";
    }
  }

  /** A public POST and a protected DELETE on one path: the method override case. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Feedback.class, Stateless.class})
  public static class MethodOverride {}

  /** The same, with the application's own method override filter instead of Spring Boot's. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Feedback.class, Stateless.class})
  public static class OwnOverrideFilter {
    @Bean
    HiddenHttpMethodFilter hiddenHttpMethodFilter() {
      return new HiddenHttpMethodFilter();
    }
  }

  @RestController
  public static class Feedback {
    @PublicRoute
    @PostMapping("/feedback")
    public String post() {
      RAN.add("Feedback#post");
      return "thanks";
    }

    @HumanPlane
    @DeleteMapping("/feedback")
    public String delete() {
      RAN.add("Feedback#delete");
      return "deleted";
    }
  }

  /** Handlers planed by the policy file only: HEAD served by a GET handler. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Site.class, Stateless.class})
  public static class Head {}

  @RestController
  public static class Site {
    @GetMapping("/site/reports/{id}")
    public String report(@PathVariable("id") String id) {
      RAN.add("Site#report");
      return "report " + id;
    }

    @GetMapping("/site/{page}")
    public String page(@PathVariable("page") String page) {
      RAN.add("Site#page");
      return "page " + page;
    }
  }

  /**
   * A protected catch-all beside a public literal: Spring does not match "/api/health/" to the
   * literal handler (no trailing-slash matching), and hands it to the catch-all.
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Api.class, Stateless.class})
  public static class CatchAll {}

  @RestController
  public static class Api {
    @GetMapping("/api/health")
    public String health() {
      RAN.add("Api#health");
      return "up";
    }

    @GetMapping("/api/**")
    public String all() {
      RAN.add("Api#all");
      return "protected api";
    }
  }

  /** Annotated handlers below a servlet path. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Accounts.class, Stateless.class})
  public static class ServletPath {}

  @RestController
  @HumanPlane
  public static class Accounts {
    @GetMapping("/accounts/me")
    public String me() {
      RAN.add("Accounts#me");
      return "me";
    }

    @PublicRoute
    @GetMapping("/status")
    public String status() {
      RAN.add("Accounts#status");
      return "ok";
    }
  }
}
