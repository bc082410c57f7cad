package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.planeguard.annotation.DebugRoute;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.annotation.PublicRoute;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planes declared next to handlers, and how they merge with the policy file. */
class DeclarationsTest {

  @MachinePlane(scopes = "runs:read")
  static class RunsController {
    public void list() {}

    @MachinePlane(scopes = "runs:write")
    public void create() {}

    @RolesAllowed({"runs:admin"})
    public void purge() {}

    @PermitAll
    public void status() {}

    @DenyAll
    public void export() {}
  }

  @RolesAllowed("auditor")
  static class OnlyRoles {
    public void list() {}
  }

  static class Mixed {
    @HumanPlane
    @PublicRoute
    public void both() {}

    @PublicRoute
    @RolesAllowed("x")
    public void publicWithRoles() {}

    @DebugRoute(plane = Plane.HUMAN)
    public void inspect() {}

    public void nothing() {}
  }

  static Optional<RouteDeclarations.Declared> read(Class<?> type, String method) throws Exception {
    Method m = type.getMethod(method);
    return RouteDeclarations.of(type, m);
  }

  @Test
  void methodAnnotationsOverrideClassAnnotations() throws Exception {
    assertThat(read(RunsController.class, "list"))
        .contains(
            new RouteDeclarations.Declared(Access.MACHINE, Plane.MACHINE, Set.of("runs:read")));
    assertThat(read(RunsController.class, "create"))
        .contains(
            new RouteDeclarations.Declared(Access.MACHINE, Plane.MACHINE, Set.of("runs:write")));
    assertThat(read(RunsController.class, "status"))
        .contains(new RouteDeclarations.Declared(Access.PUBLIC, null, Set.of()));
    assertThat(read(RunsController.class, "export"))
        .contains(new RouteDeclarations.Declared(Access.DENY, null, Set.of()));
  }

  @Test
  void rolesAllowedAddsScopesButNeverSelectsAPlane() throws Exception {
    assertThat(read(RunsController.class, "purge"))
        .contains(
            new RouteDeclarations.Declared(
                Access.MACHINE, Plane.MACHINE, Set.of("runs:read", "runs:admin")));
    assertThat(read(OnlyRoles.class, "list")).isEmpty();
    assertThat(read(Mixed.class, "nothing")).isEmpty();
  }

  @Test
  void contradictoryAnnotationsAreErrorsNamingTheHandler() {
    assertThatThrownBy(() -> read(Mixed.class, "both"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mixed#both")
        .hasMessageContaining("2 access annotations");
    assertThatThrownBy(() -> read(Mixed.class, "publicWithRoles"))
        .hasMessageContaining("@RolesAllowed needs a plane");
  }

  @Test
  void debugDeclarationsBecomeDebugRules() throws Exception {
    Rule rule =
        read(Mixed.class, "inspect").orElseThrow().toRule("/__debug/inspect", Set.of("GET"));
    assertThat(rule.toPolicyLine())
        .isEqualTo("debug /__debug/inspect methods=GET,HEAD plane=human");
  }

  static Policy.Declaration declared(Rule rule, String origin) {
    return new Policy.Declaration(rule, origin);
  }

  static class Files {
    @HumanPlane
    public void all() {}

    @PublicRoute(carveOut = true)
    public void brochure() {}

    @PublicRoute
    public void unmarked() {}
  }

  @Test
  void aPublicRouteInsideAProtectedRuleNeedsCarveOut() throws Exception {
    RouteDeclarations.Declared marked =
        RouteDeclarations.of(Files.class, Files.class.getMethod("brochure")).orElseThrow();
    RouteDeclarations.Declared unmarked =
        RouteDeclarations.of(Files.class, Files.class.getMethod("unmarked")).orElseThrow();
    assertThat(marked.carveOut()).isTrue();
    assertThat(unmarked.carveOut()).isFalse();
    assertThat(marked.toRule("/files/brochure", Set.of("GET")).toPolicyLine())
        .isEqualTo("public /files/brochure methods=GET,HEAD carve-out=yes");

    // Under a rule of the policy file: the marked handler merges, the unmarked one disagrees.
    Policy file = Policy.parse("human /files/**\n", "app.policy");
    Policy merged =
        file.merge(
            List.of(declared(marked.toRule("/files/brochure", Set.of("GET")), "Files#brochure")));
    assertThat(merged.match("GET", "/files/brochure").carveOut()).isTrue();
    assertThat(merged.match("GET", "/files/other").access()).isEqualTo(Access.HUMAN);
    assertThatThrownBy(
            () ->
                file.merge(
                    List.of(
                        declared(
                            unmarked.toRule("/files/brochure", Set.of("GET")), "Files#unmarked"))))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.subject()).isEqualTo("Files#unmarked")));

    // Under another handler's rule (no policy file): the hole is refused naming both handlers.
    RouteDeclarations.Declared human =
        RouteDeclarations.of(Files.class, Files.class.getMethod("all")).orElseThrow();
    List<Policy.Declaration> handlers =
        List.of(
            declared(human.toRule("/files/**", Set.of("GET")), "Files#all"),
            declared(unmarked.toRule("/files/brochure", Set.of("GET")), "Files#unmarked"));
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> Policy.ofDeclarations(handlers));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("Files#unmarked");
              assertThat(p.message())
                  .startsWith(
                      "public /files/brochure methods=GET,HEAD opens a hole in Files#all (human"
                          + " /files/** methods=GET,HEAD)");
              assertThat(p.fix()).contains("@PublicRoute(carveOut = true)");
            });
    assertThat(
            Policy.ofDeclarations(
                    List.of(
                        handlers.get(0),
                        declared(
                            marked.toRule("/files/brochure", Set.of("GET")), "Files#brochure")))
                .match("GET", "/files/brochure")
                .carveOut())
        .isTrue();
  }

  @Test
  void declarationsOnlyFileOnlyAndBothGiveTheExpectedPolicy() {
    Policy file = Policy.parse("human /api/v1/accounts/**\npublic /healthz\n", "app.policy");
    List<Policy.Declaration> declarations =
        List.of(
            declared(Rule.machine("/api/v1/runs").withMethods("GET"), "Runs#list"),
            declared(
                Rule.machine("/api/v1/runs").withMethods("POST").withScopes("runs:write"),
                "Runs#create"),
            declared(Rule.human("/api/v1/accounts/me").withMethods("GET"), "Accounts#me"),
            declared(Rule.publicRoute("/healthz"), "Health#check"));
    Policy merged = file.merge(declarations);
    assertThat(merged.rules())
        .extracting(Rule::toPolicyLine)
        .containsExactly(
            "human /api/v1/accounts/**",
            "human /api/v1/accounts/me methods=GET,HEAD",
            "machine /api/v1/runs methods=GET,HEAD",
            "machine /api/v1/runs scopes=runs:write methods=POST",
            "public /healthz");
    assertThat(merged.origin(Rule.publicRoute("/healthz"))).isEqualTo("app.policy:2, Health#check");
    assertThat(merged.origin(Rule.machine("/api/v1/runs").withMethods("GET")))
        .isEqualTo("Runs#list");

    Policy fromDeclarationsOnly =
        Policy.builder()
            .rule(Rule.publicRoute("/x"))
            .build()
            .merge(List.of(declared(Rule.human("/y"), "Y#y")));
    assertThat(fromDeclarationsOnly.match("GET", "/y").access()).isEqualTo(Access.HUMAN);
  }

  @Test
  void denyAllInsideAPublicFileRuleIsDenied() {
    Policy file = Policy.parse("public /api/public/**\n", "app.policy");
    Policy merged = file.merge(List.of(declared(Rule.deny("/api/public/secret"), "Public#secret")));
    assertThat(merged.match("GET", "/api/public/secret").access()).isEqualTo(Access.DENY);
    assertThat(merged.match("GET", "/api/public/other").access()).isEqualTo(Access.PUBLIC);
  }

  @Test
  void permitAllInsideAHumanFileRuleIsAConflictNotADowngrade() {
    Policy file = Policy.parse("human /api/**\n", "app.policy");
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                file.merge(
                    List.of(
                        declared(
                            Rule.publicRoute("/api/v1/status").withMethods("GET"), "Status#get"))));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("Status#get");
              assertThat(p.message())
                  .contains("app.policy:1")
                  .contains("human /api/**")
                  .contains("public /api/v1/status");
            });
  }

  @Test
  void everyKindOfDisagreementNamesBothLocations() {
    Policy file =
        Policy.parse(
            """
            machine /api/v1/runs          methods=GET
            human   /api/v1/accounts/**   scopes=accounts:read
            machine /api/v1/telemetry/**
            """,
            "app.policy");
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                file.merge(
                    List.of(
                        // different access
                        declared(Rule.human("/api/v1/telemetry/events"), "Telemetry#post"),
                        // different methods for the same pattern
                        declared(
                            Rule.machine("/api/v1/runs").withMethods("GET", "POST"), "Runs#list"),
                        // different scopes
                        declared(Rule.human("/api/v1/accounts/me"), "Accounts#me"),
                        // agrees: no problem
                        declared(
                            Rule.human("/api/v1/accounts/{id}").withScopes("accounts:read"),
                            "Accounts#one"))));
    assertThat(e.problems())
        .extracting(Problem::subject)
        .containsExactly("Telemetry#post", "Runs#list", "Accounts#me");
    assertThat(e.problems().get(0).message()).contains("app.policy:3");
    assertThat(e.problems().get(1).message()).contains("app.policy:1");
    assertThat(e.problems().get(2).message()).contains("app.policy:2");
  }

  @Test
  void twoHandlersClaimingTheSameRouteDifferentlyAreAConflict() {
    Policy file = Policy.parse("public /healthz\n", "app.policy");
    assertThatThrownBy(
            () ->
                file.merge(
                    List.of(
                        declared(Rule.human("/api/x/{id}"), "A#get"),
                        declared(Rule.machine("/api/x/{key}"), "B#get"))))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            ex -> assertThat(ex.problems().get(0).message()).contains("A#get"));
  }

  @Test
  void theExportedPolicyReloadsEqualAndKeepsItsOrigins() {
    Policy file = Policy.parse("human /api/v1/accounts/**\npublic /healthz\n", "app.policy");
    Policy merged =
        file.merge(
            List.of(
                declared(Rule.machine("/api/v1/runs").withMethods("GET"), "com.example.Runs#list"),
                declared(Rule.deny("/api/v1/accounts/export"), "com.example.Accounts#export")));
    String exported = merged.renderWithOrigins();
    assertThat(exported)
        .contains("deny     /api/v1/accounts/export")
        .contains("# from com.example.Accounts#export")
        .contains("# from app.policy:1");
    Policy reloaded = Policy.parse(exported, "exported.policy");
    assertThat(reloaded).isEqualTo(merged);
    assertThat(reloaded.origin(Rule.machine("/api/v1/runs").withMethods("GET")))
        .isEqualTo("exported.policy:3 (from com.example.Runs#list)");
    // Exporting the re-loaded policy names the first declaration, not a chain.
    assertThat(reloaded.renderWithOrigins()).isEqualTo(exported);
  }

  @Test
  void denyRulesAnswerLikeUnmappedRoutes() {
    Policy policy = Policy.parse("public /api/**\ndeny /api/secret\n", "p");
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(policy)
            .auditSink(AuditSink.none())
            .build();
    Decision denied = enforcer.decide(InboundRequest.of("GET", "/api/secret", Map.of()));
    assertThat(denied.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(denied.status()).isEqualTo(404);
    assertThat(denied.detail()).isEqualTo(Detail.DENY_RULE);
    assertThat(denied.plane()).isNull();
    assertThat(enforcer.decide(InboundRequest.of("GET", "/api/open", Map.of())).reason())
        .isEqualTo(Reason.PUBLIC);
    assertThatThrownBy(() -> Policy.parse("deny /x scopes=a\n", "p"))
        .hasMessageContaining("admit nobody");
    assertThatThrownBy(() -> Policy.parse("deny /x plane=human\n", "p"))
        .hasMessageContaining("only for debug");
  }
}
