package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Enforcer;
import dev.planeguard.Policy;
import dev.planeguard.Rule;
import dev.planeguard.spring.apps.ParityApps;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A handler runs only under a rule that covers it: the ways Spring MVC can choose another handler
 * than the applied rule describes, each tried over real HTTP on Tomcat against an application
 * configured as production would be (an https issuer with its keys in a file). Every attack is
 * refused without the handler running; every legitimate call is still served.
 */
class DispatchParityHttpTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static Path jwks;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    issuer = TestIssuer.builder().issuerId("https://issuer.example.test").start();
    jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  @BeforeEach
  void forget() {
    ParityApps.RAN.clear();
  }

  static ConfigurableApplicationContext run(Class<?> app, String mode, String... more) {
    List<String> props =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=" + mode,
                "DB_AUTHORITY=" + (mode.equals("local") ? "local" : "neon"),
                "planeguard.human.issuer=" + issuer.issuerId(),
                "planeguard.human.jwks-uri=" + jwks.toUri(),
                "planeguard.human.audiences=" + issuer.audience(),
                "management.endpoints.web.exposure.include=health",
                "management.endpoints.web.discovery.enabled=false",
                "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"));
    props.addAll(List.of(more));
    return new SpringApplicationBuilder(app).properties(props.toArray(String[]::new)).run();
  }

  HttpResponse<String> send(
      ConfigurableApplicationContext app, String method, String target, String... header)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.getEnvironment().getProperty("local.server.port")
                        + target))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < header.length; i += 2) {
      b.header(header[i], header[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String bearer() {
    return "Bearer " + issuer.token().sign();
  }

  /** The answer to a path no rule and no handler knows: what every 404 of planeguard looks like. */
  static void assertPlain404(HttpResponse<String> r, HttpResponse<String> plain) {
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo(r.request().method().equals("HEAD") ? "" : plain.body());
    assertThat(r.headers().firstValue("Content-Type"))
        .isEqualTo(plain.headers().firstValue("Content-Type"));
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  // ---- 1. a regular expression or a suffix widened into a public rule ----

  @Test
  void aWidenedPublicMappingBesideAProtectedCatchAllStopsStartupInProd() {
    assertThatThrownBy(
            () ->
                run(
                        ParityApps.Widened.class,
                        "prod",
                        "planeguard.policy-location=classpath:actuator.policy")
                    .close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("handler GET /docs/** (" + ParityApps.Docs.class.getName() + "#all)")
        .hasMessageContaining("reachable under rules of another plane")
        .hasMessageContaining(
            "maps /docs/{page:[a-z]+}, which planeguard reads as the wider /docs/*")
        .hasMessageContaining("handler GET /img/** (" + ParityApps.Docs.class.getName() + "#img)");
  }

  @Test
  void aPublicHandlerInsideAProtectedCatchAllNeedsCarveOut() throws Exception {
    for (String mode : List.of("test", "prod")) {
      assertThatThrownBy(
              () ->
                  run(
                          ParityApps.UnmarkedHole.class,
                          mode,
                          "planeguard.policy-location=classpath:actuator.policy")
                      .close())
          .rootCause()
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(
              ParityApps.Files.class.getName()
                  + "#brochure: public /files/brochure methods=GET,HEAD opens a hole in "
                  + ParityApps.Files.class.getName()
                  + "#all (human /files/** methods=GET,HEAD)")
          .hasMessageContaining("@PublicRoute(carveOut = true) on a handler");
    }
    assertThat(ParityApps.RAN).isEmpty();
    // Marked, as in ParityApps.Docs, the application starts and the rule says so.
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.Widened.class,
            "test",
            "planeguard.policy-location=classpath:actuator.policy")) {
      Policy policy = app.getBean(Enforcer.class).policy();
      Rule page = policy.match("GET", "/docs/intro");
      assertThat(page.carveOut()).isTrue();
      assertThat(policy.carvedFrom(page).toPolicyLine())
          .isEqualTo("human /docs/** methods=GET,HEAD");
    }
  }

  @Test
  void whereItStartsTheProtectedCatchAllNeverRunsUnderTheWidenedPublicRule() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.Widened.class,
            "test",
            "planeguard.policy-location=classpath:actuator.policy")) {
      HttpResponse<String> plain = send(app, "GET", "/nothing/here");

      // GET /docs/123: decided by "public /docs/*", which Spring sends to the human catch-all.
      assertPlain404(send(app, "GET", "/docs/123"), plain);
      assertPlain404(send(app, "HEAD", "/docs/123"), plain);
      assertPlain404(send(app, "GET", "/img/secret.txt"), plain);
      assertThat(ParityApps.RAN).isEmpty();

      // Legitimate calls.
      HttpResponse<String> page = send(app, "GET", "/docs/intro");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).isEqualTo("page intro");
      assertThat(send(app, "GET", "/img/logo.png").body()).isEqualTo("png logo");
      HttpResponse<String> deep = send(app, "GET", "/docs/a/b", "Authorization", bearer());
      assertThat(deep.statusCode()).isEqualTo(200);
      assertThat(deep.body()).isEqualTo("protected docs");
      HttpResponse<String> anonymous = send(app, "GET", "/docs/a/b");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
      assertThat(ParityApps.RAN).containsExactly("Docs#page", "Docs#png", "Docs#all");
    }
  }

  @Test
  void whatTheStartupCheckCannotSeeIsRefusedAtDispatchInProd() throws Exception {
    // The catch-all is not reported at startup: the public rule's path has a handler of its own.
    // A trailing slash still reaches the catch-all under the public rule.
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.CatchAll.class,
            "prod",
            "planeguard.policy-location=classpath:catch-all.policy")) {
      HttpResponse<String> plain = send(app, "GET", "/nothing/here");
      assertPlain404(send(app, "GET", "/api/health/"), plain);
      assertThat(ParityApps.RAN).isEmpty();

      assertThat(send(app, "GET", "/api/health").body()).isEqualTo("up");
      assertThat(send(app, "GET", "/api/accounts", "Authorization", bearer()).body())
          .isEqualTo("protected api");
      assertThat(send(app, "GET", "/api/accounts").statusCode()).isEqualTo(401);
      assertThat(ParityApps.RAN).containsExactly("Api#health", "Api#all");
    }
  }

  // ---- 2. a method override after the decision ----

  @Test
  void aMethodOverrideIsDecidedOnTheMethodSpringServes() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.MethodOverride.class,
            "prod",
            "spring.mvc.hiddenmethod.filter.enabled=true",
            "planeguard.policy-location=classpath:actuator.policy")) {
      assertMethodOverrideIsDecidedOnTheEffectiveMethod(app);
    }
  }

  @Test
  void anApplicationsOwnMethodOverrideFilterIsDecidedOnTheMethodSpringServes() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.OwnOverrideFilter.class,
            "prod",
            "planeguard.policy-location=classpath:actuator.policy")) {
      assertMethodOverrideIsDecidedOnTheEffectiveMethod(app);
    }
  }

  void assertMethodOverrideIsDecidedOnTheEffectiveMethod(ConfigurableApplicationContext app)
      throws Exception {
    HttpResponse<String> attack = send(app, "POST", "/feedback?_method=DELETE");
    assertThat(attack.statusCode()).isEqualTo(401);
    assertThat(attack.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
    assertThat(attack.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
    assertThat(ParityApps.RAN).isEmpty();

    // A token does not make the override pass: the request was let through as a public POST with
    // no caller, and the DELETE handler would run without the one it needs.
    assertThat(
            send(app, "POST", "/feedback?_method=DELETE", "Authorization", bearer()).statusCode())
        .isEqualTo(404);
    assertThat(ParityApps.RAN).isEmpty();

    assertThat(send(app, "POST", "/feedback").body()).isEqualTo("thanks");
    HttpResponse<String> delete = send(app, "DELETE", "/feedback", "Authorization", bearer());
    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(delete.body()).isEqualTo("deleted");
    assertThat(send(app, "DELETE", "/feedback").statusCode()).isEqualTo(401);
    assertThat(ParityApps.RAN).containsExactly("Feedback#post", "Feedback#delete");
  }

  // ---- 3. HEAD served by a GET handler ----

  @Test
  void headIsDecidedAsGetSoABroaderPublicRuleDoesNotOpenAProtectedGet() throws Exception {
    try (ConfigurableApplicationContext app =
        run(ParityApps.Head.class, "prod", "planeguard.policy-location=classpath:site.policy")) {
      HttpResponse<String> attack = send(app, "HEAD", "/site/reports/1");
      assertThat(attack.statusCode()).isEqualTo(401);
      assertThat(attack.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
      assertThat(ParityApps.RAN).isEmpty();

      assertThat(send(app, "HEAD", "/site/reports/1", "Authorization", bearer()).statusCode())
          .isEqualTo(200);
      assertThat(send(app, "GET", "/site/reports/1", "Authorization", bearer()).body())
          .isEqualTo("report 1");
      assertThat(send(app, "GET", "/site/reports/1").statusCode()).isEqualTo(401);
      assertThat(send(app, "HEAD", "/site/index").statusCode()).isEqualTo(200);
      assertThat(send(app, "GET", "/site/index").body()).isEqualTo("page index");
      assertThat(ParityApps.RAN)
          .containsExactly("Site#report", "Site#report", "Site#page", "Site#page");
    }
  }

  // ---- 4. a servlet path ----

  @Test
  void aServletPathIsPartOfEveryHandlersRule() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            ParityApps.ServletPath.class,
            "prod",
            "spring.mvc.servlet.path=/svc",
            "planeguard.policy-location=classpath:svc.policy")) {
      HttpResponse<String> me = send(app, "GET", "/svc/accounts/me", "Authorization", bearer());
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(me.body()).isEqualTo("me");
      HttpResponse<String> anonymous = send(app, "GET", "/svc/accounts/me");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
      assertThat(send(app, "GET", "/svc/status").body()).isEqualTo("ok");
      assertThat(send(app, "GET", "/accounts/me", "Authorization", bearer()).statusCode())
          .isEqualTo(404);
      assertThat(app.getBean(PlaneGuardSetup.class).routeTable())
          .contains("/svc/accounts/me")
          .contains("/svc/actuator/health");
      assertThat(ParityApps.RAN).containsExactly("Accounts#me", "Accounts#status");
    }
  }

  // ---- settings planeguard cannot mirror ----

  @Test
  void actuatorOnItsOwnPortStopsStartupInProd() {
    assertThatThrownBy(
            () ->
                run(
                        ParityApps.ServletPath.class,
                        "prod",
                        "planeguard.policy-location=classpath:svc.policy",
                        "management.server.port=0")
                    .close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            "management.server.port=0, a separate server no planeguard filter guards");
  }

  @Test
  void caseInsensitiveMatchingStopsStartupInProd() {
    assertThatThrownBy(
            () ->
                run(
                        CaseInsensitive.class,
                        "prod",
                        "planeguard.policy-location=classpath:actuator.policy")
                    .close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("matches paths case-insensitively, which planeguard does not mirror");
  }

  /** An application that matches paths without regard to case. */
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import(ParityApps.Accounts.class)
  static class CaseInsensitive
      implements org.springframework.web.servlet.config.annotation.WebMvcConfigurer {
    @Override
    public void configurePathMatch(
        org.springframework.web.servlet.config.annotation.PathMatchConfigurer configurer) {
      org.springframework.web.util.pattern.PathPatternParser parser =
          new org.springframework.web.util.pattern.PathPatternParser();
      parser.setCaseSensitive(false);
      configurer.setPatternParser(parser);
    }
  }
}
