package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which rules may decide the requests a framework sends to each handler. */
class RouteCoverageTest {

  static final RouteDeclarations.Declared HUMAN =
      new RouteDeclarations.Declared(Access.HUMAN, Plane.HUMAN, Set.of());
  static final RouteDeclarations.Declared PUBLIC =
      new RouteDeclarations.Declared(Access.PUBLIC, null, Set.of());
  static final RouteDeclarations.Declared CARVE_OUT =
      new RouteDeclarations.Declared(Access.PUBLIC, null, Set.of(), true);

  static RouteCoverage.PathMapping exact(String pattern) {
    return new RouteCoverage.PathMapping(pattern, pattern, false);
  }

  static RouteCoverage.PathMapping widened(String written, String pattern) {
    return new RouteCoverage.PathMapping(written, pattern, true);
  }

  static RouteCoverage.Handler handler(
      String origin,
      RouteDeclarations.Declared declared,
      Set<String> methods,
      RouteCoverage.PathMapping... paths) {
    return new RouteCoverage.Handler(origin, List.of(paths), methods, Optional.of(declared), false);
  }

  @Test
  void aWidenedPublicPatternBesideAProtectedCatchAllIsAnAmbiguityAndTheCatchAllNeverRunsUnderIt() {
    // @PublicRoute @GetMapping("/docs/{page:[a-z]+}") beside @HumanPlane @GetMapping("/docs/**"):
    // GET /docs/123 is decided by the public rule, and Spring sends it to the human handler.
    List<RouteCoverage.Handler> handlers =
        List.of(
            handler(
                "Docs#page", CARVE_OUT, Set.of("GET"), widened("/docs/{page:[a-z]+}", "/docs/*")),
            handler("Docs#all", HUMAN, Set.of("GET"), exact("/docs/**")));
    Policy policy = RouteCoverage.policy(null, handlers);
    RouteCoverage coverage = RouteCoverage.of(policy, handlers);

    Rule publicRule = policy.match("GET", "/docs/123");
    Rule humanRule = policy.match("GET", "/docs/a/b");
    assertThat(publicRule.access()).isEqualTo(Access.PUBLIC);
    assertThat(humanRule.access()).isEqualTo(Access.HUMAN);

    RouteCoverage.Entry page = coverage.entry(0);
    RouteCoverage.Entry all = coverage.entry(1);
    assertThat(page.accepts(publicRule, "GET")).isTrue();
    assertThat(page.accepts(publicRule, "HEAD")).as("a GET handler serves HEAD").isTrue();
    assertThat(all.accepts(humanRule, "GET")).isTrue();
    assertThat(all.accepts(publicRule, "GET"))
        .as("the human handler never runs as public")
        .isFalse();
    assertThat(all.accepts(publicRule, "HEAD")).isFalse();

    assertThat(coverage.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("handler GET /docs/** (Docs#all)");
              assertThat(p.message())
                  .contains("reachable under rules of another plane")
                  .contains(
                      "GET by public /docs/* methods=GET,HEAD carve-out=yes (Docs#page, where Docs#page"
                          + " maps"
                          + " /docs/{page:[a-z]+}, which planeguard reads as the wider /docs/*)");
            });
    assertThat(coverage.startupProblems(Mode.PROD)).hasSize(1);
    assertThat(coverage.startupProblems(Mode.PREPROD)).hasSize(1);
    assertThat(coverage.startupProblems(Mode.LOCAL)).isEmpty();
  }

  @Test
  void anUnannotatedSiblingIsNotCoveredByAnotherHandlersWidenedDeclaration() {
    List<RouteCoverage.Handler> handlers =
        List.of(
            handler("Img#png", PUBLIC, Set.of("GET"), widened("/img/{name}.png", "/img/*")),
            new RouteCoverage.Handler(
                "Img#any",
                List.of(widened("/img/{file:.+}", "/img/*")),
                Set.of("GET"),
                Optional.empty(),
                false));
    Policy policy = RouteCoverage.policy(null, handlers);
    RouteCoverage coverage = RouteCoverage.of(policy, handlers);

    Rule publicRule = policy.match("GET", "/img/secret.txt");
    assertThat(coverage.entry(1).accepts(publicRule, "GET")).isFalse();
    assertThat(coverage.uncovered()).containsExactly("GET /img/{file:.+} (Img#any)");
    assertThat(coverage.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("no policy file rule gives it a plane"));
  }

  @Test
  void aFileRuleCoversEveryHandlerOnItsPaths() {
    Policy file =
        Policy.parse("human /api/**\npublic /api/health methods=GET carve-out=yes\n", "p.policy");
    List<RouteCoverage.Handler> handlers =
        List.of(
            new RouteCoverage.Handler(
                "Api#get", List.of(exact("/api/{id}")), Set.of("GET"), Optional.empty(), false),
            new RouteCoverage.Handler(
                "Api#health",
                List.of(exact("/api/health")),
                Set.of("GET"),
                Optional.empty(),
                false));
    RouteCoverage coverage = RouteCoverage.of(file, handlers);
    assertThat(coverage.problems()).isEmpty();
    assertThat(coverage.entry(0).accepts(file.match("GET", "/api/7"), "GET")).isTrue();
    assertThat(coverage.entry(1).accepts(file.match("GET", "/api/health"), "GET")).isTrue();
    // Spring would send GET /api/health/ to neither; if a framework did, the human handler would
    // still not run under the public rule.
    assertThat(coverage.entry(0).accepts(file.match("GET", "/api/health"), "GET")).isFalse();
    assertThat(coverage.pathHandler().accepts(file.match("GET", "/api/health"), "GET")).isTrue();
    assertThat(coverage.unknown().accepts(file.match("GET", "/api/health"), "GET")).isFalse();
  }

  @Test
  void aCatchAllBesideALiteralHandlerIsAmbiguousOnlyForMethodsTheLiteralDoesNotServe() {
    Policy file = Policy.parse("human /api/**\npublic /api/health carve-out=yes\n", "p.policy");
    List<RouteCoverage.Handler> handlers =
        List.of(
            new RouteCoverage.Handler(
                "Api#all", List.of(exact("/api/**")), Set.of(), Optional.empty(), false),
            new RouteCoverage.Handler(
                "Api#health",
                List.of(exact("/api/health")),
                Set.of("GET"),
                Optional.empty(),
                false));
    RouteCoverage coverage = RouteCoverage.of(file, handlers);
    assertThat(coverage.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("handler * /api/** (Api#all)");
              // GET and HEAD /api/health go to the health handler; POST /api/health goes to the
              // catch-all.
              assertThat(p.message())
                  .contains("POST by public /api/health")
                  .doesNotContain("GET by");
            });
    Rule health = file.match("POST", "/api/health");
    assertThat(coverage.entry(0).accepts(health, "POST")).isFalse();
  }

  @Test
  void aDeclaredHandlerRunsUnderAnyRuleOfItsOwnOutcomeAndStricterScopes() {
    Policy file =
        Policy.parse(
            "human /a/**\nhuman /a/admin/** scopes=admin\npublic /a/open carve-out=yes\n",
            "p.policy");
    List<RouteCoverage.Handler> handlers =
        List.of(
            handler("A#all", HUMAN, Set.of("GET"), exact("/a/*/**")),
            new RouteCoverage.Handler(
                "A#open", List.of(exact("/a/open")), Set.of("GET"), Optional.empty(), false));
    Policy policy = RouteCoverage.policy(file, handlers);
    RouteCoverage coverage = RouteCoverage.of(policy, handlers);
    assertThat(coverage.entry(0).accepts(policy.match("GET", "/a/admin/x"), "GET")).isTrue();
    assertThat(coverage.entry(0).accepts(policy.match("GET", "/a/x"), "GET")).isTrue();
    assertThat(coverage.entry(0).accepts(policy.match("GET", "/a/open"), "GET")).isFalse();
    assertThat(coverage.problems()).isEmpty();
  }

  @Test
  void aMethodTheRuleDoesNotCoverIsNeverAccepted() {
    // The method override case: POST /feedback is public, the DELETE handler is human.
    Policy file =
        Policy.parse("public /feedback methods=POST\nhuman /feedback methods=DELETE\n", "p");
    List<RouteCoverage.Handler> handlers =
        List.of(
            new RouteCoverage.Handler(
                "F#post", List.of(exact("/feedback")), Set.of("POST"), Optional.empty(), false),
            new RouteCoverage.Handler(
                "F#delete",
                List.of(exact("/feedback")),
                Set.of("DELETE"),
                Optional.empty(),
                false));
    RouteCoverage coverage = RouteCoverage.of(file, handlers);
    Rule post = file.match("POST", "/feedback");
    assertThat(coverage.entry(0).accepts(post, "POST")).isTrue();
    assertThat(coverage.entry(1).accepts(post, "DELETE")).isFalse();
    assertThat(coverage.entry(1).accepts(file.match("DELETE", "/feedback"), "DELETE")).isTrue();
    assertThat(coverage.problems()).isEmpty();
  }

  @Test
  void pathsNoRuleMatchesAreUncovered() {
    Policy file = Policy.parse("human /files/*\n", "p");
    List<RouteCoverage.Handler> handlers =
        List.of(
            new RouteCoverage.Handler(
                "F#all", List.of(exact("/files/**")), Set.of("GET"), Optional.empty(), false));
    RouteCoverage coverage = RouteCoverage.of(file, handlers);
    assertThat(coverage.uncovered()).containsExactly("GET /files/** (F#all)");
    assertThat(coverage.problems().get(0).message())
        .isEqualTo("is served by the application but not covered: no rule matches GET,HEAD /files");
  }

  @Test
  void declarationsThatCannotBecomeRulesAreListed() {
    List<RouteCoverage.Handler> handlers =
        List.of(
            handler("H#head", HUMAN, Set.of("HEAD"), exact("/h")),
            handler(
                "H#odd",
                HUMAN,
                Set.of("GET"),
                new RouteCoverage.PathMapping("/a/**/b", null, true)));
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class, () -> RouteCoverage.policy(null, handlers));
    assertThat(e.problems()).extracting(Problem::subject).contains("H#head", "H#odd");
    assertThat(e.problems().get(0).message()).contains("HEAD without GET");
    assertThat(e.problems().get(1).message())
        .contains("/a/**/b cannot be written as a policy pattern");
  }

  @Test
  void anInvalidPolicyPatternIsRefusedInAMapping() {
    assertThatThrownBy(() -> new RouteCoverage.PathMapping("/a/", "/a/", false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- the samples behind the coverage, against brute force ----

  static final String[] LITERALS = {"a", "b", "c"};

  /**
   * For random policies and patterns, the rules that decide some path of a pattern, found from the
   * trie's samples, equal those found by matching every path of up to five segments over the
   * policy's literals and one other value.
   */
  @Test
  void samplesFindExactlyTheRulesThatDecideSomePathOfThePattern() {
    Random random = new Random(17);
    List<String> universe = new ArrayList<>();
    universe.add("/");
    List<String> level = List.of("");
    for (int depth = 1; depth <= 5; depth++) {
      List<String> next = new ArrayList<>();
      for (String prefix : level) {
        for (String s : List.of("a", "b", "c", "z")) {
          next.add(prefix + "/" + s);
        }
      }
      universe.addAll(next);
      level = next;
    }
    for (int round = 0; round < 400; round++) {
      Set<String> used = new LinkedHashSet<>();
      int n = 1 + random.nextInt(7);
      Access[] accesses = {Access.HUMAN, Access.MACHINE, Access.PUBLIC, Access.DENY};
      List<Rule> rules = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String pattern = randomPattern(random);
        if (used.add(pattern)) {
          rules.add(
              new Rule(
                  accesses[random.nextInt(accesses.length)], pattern, Set.of(), Set.of(), null));
        }
      }
      Policy policy = PolicyTest.withCarveOutsMarked(rules);
      for (int h = 0; h < 5; h++) {
        String pattern = randomPattern(random);
        List<String> paths = new ArrayList<>();
        List<String> generic = new ArrayList<>();
        assertThat(policy.samples(pattern, paths, generic)).isTrue();
        Set<Rule> fromSamples = new LinkedHashSet<>();
        boolean unmatchedFromSamples = false;
        for (String path : paths) {
          Rule r = policy.match("GET", path);
          if (r == null) {
            unmatchedFromSamples = true;
          } else {
            fromSamples.add(r);
          }
        }
        Set<Rule> bruteForce = new LinkedHashSet<>();
        boolean unmatched = false;
        for (String path : universe) {
          if (matches(pattern, path)) {
            Rule r = policy.match("GET", path);
            if (r == null) {
              unmatched = true;
            } else {
              bruteForce.add(r);
            }
          }
        }
        assertThat(fromSamples).as("%s in %s", pattern, policy.rules()).isEqualTo(bruteForce);
        assertThat(unmatchedFromSamples)
            .as("%s in %s", pattern, policy.rules())
            .isEqualTo(unmatched);
        assertThat(paths).containsAll(generic);
      }
    }
  }

  @Test
  void headIsDecidedExactlyAsGetForEveryPolicy() {
    Random random = new Random(5);
    for (int round = 0; round < 300; round++) {
      Policy.Builder b = Policy.builder();
      Set<String> used = new LinkedHashSet<>();
      List<Set<String>> methodSets =
          List.of(
              Set.of(),
              Set.of("GET"),
              Set.of("GET", "HEAD"),
              Set.of("POST"),
              Set.of("GET", "POST"));
      for (int i = 0; i < 6; i++) {
        String pattern = randomPattern(random);
        if (used.add(pattern)) {
          b.rule(
              new Rule(
                  Access.HUMAN,
                  pattern,
                  methodSets.get(random.nextInt(methodSets.size())),
                  Set.of(),
                  null));
        }
      }
      Policy policy;
      try {
        policy = b.build();
      } catch (ConfigurationException e) {
        continue;
      }
      for (String path : List.of("/", "/a", "/a/b", "/z/c", "/a/b/c/z")) {
        assertThat(policy.match("HEAD", path)).isSameAs(policy.match("GET", path));
      }
    }
  }

  static String randomPattern(Random random) {
    int depth = random.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      int k = random.nextInt(6);
      String s = k < 3 ? LITERALS[k] : k < 5 ? "*" : "**";
      if (s.equals("**")) {
        sb.append("/**");
        return sb.toString();
      }
      sb.append('/').append(s);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /** An independent matcher for the patterns above: literals, {@code *} and a final {@code **}. */
  static boolean matches(String pattern, String path) {
    String[] p = pattern.equals("/") ? new String[0] : pattern.substring(1).split("/");
    String[] s = path.equals("/") ? new String[0] : path.substring(1).split("/");
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("**")) {
        return true;
      }
      if (i >= s.length || !(p[i].equals("*") || p[i].equals(s[i]))) {
        return false;
      }
    }
    return p.length == s.length;
  }
}
