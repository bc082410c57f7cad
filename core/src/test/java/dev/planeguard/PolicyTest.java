package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

  static final String EXAMPLE =
      """
      # access   pattern                 options
      human      /api/v1/accounts/**
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/telemetry/**
      public     /healthz
      debug      /__debug/**             plane=human
      """;

  @Test
  void fileAndBuilderGiveEqualPolicies() {
    Policy fromFile = Policy.parse(EXAMPLE, "example.policy");
    Policy fromCode =
        Policy.builder()
            .rule(Rule.debug("/__debug/**", Plane.HUMAN))
            .rule(Rule.publicRoute("/healthz"))
            .rule(Rule.machine("/api/v1/telemetry/**"))
            .rule(Rule.machine("/api/v1/runs/**").withMethods("HEAD", "GET"))
            .rule(
                Rule.machine("/api/v1/runs/**").withScopes("runs:write").withMethods("PUT", "POST"))
            .rule(Rule.human("/api/v1/accounts/**"))
            .build();
    assertThat(fromFile).isEqualTo(fromCode).hasSameHashCodeAs(fromCode);
    assertThat(fromFile.origin(Rule.publicRoute("/healthz"))).isEqualTo("example.policy:6");
    assertThat(fromCode.origin(Rule.publicRoute("/healthz"))).isEqualTo("code");
  }

  @Test
  void renderedPolicyParsesToAnEqualPolicy() {
    Policy policy = Policy.parse(EXAMPLE, "example.policy");
    String rendered = policy.render();
    assertThat(Policy.parse(rendered, "rendered")).isEqualTo(policy);
    assertThat(rendered.lines().toList())
        .containsExactly(
            "debug    /__debug/**           plane=human",
            "human    /api/v1/accounts/**",
            "machine  /api/v1/runs/**       methods=GET,HEAD",
            "machine  /api/v1/runs/**       scopes=runs:write methods=POST,PUT",
            "machine  /api/v1/telemetry/**",
            "public   /healthz");
  }

  @Test
  void loadsFromAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("planeguard.policy");
    Files.writeString(file, EXAMPLE);
    Policy policy = Policy.load(file);
    assertThat(policy).isEqualTo(Policy.parse(EXAMPLE, "x"));
    assertThat(policy.origin(Rule.human("/api/v1/accounts/**"))).isEqualTo(file + ":2");
  }

  @Test
  void unreadableOrNonUtf8FilesAreConfigurationErrors(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> Policy.load(dir.resolve("missing.policy")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot be read");
    Path latin1 = dir.resolve("latin1.policy");
    Files.write(latin1, "human /caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Policy.load(latin1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    // method, path, expected winning rule (or NONE)
    "GET,  /api/v1/runs/42,          'machine /api/v1/runs/{id} methods=GET,HEAD'",
    "HEAD, /api/v1/runs/42,          'machine /api/v1/runs/{id} methods=GET,HEAD'",
    "GET,  /api/v1/runs/42/logs,     machine /api/v1/runs/**",
    "GET,  /api/v1/runs,             machine /api/v1/runs/**",
    "POST, /api/v1/runs/42,          machine /api/v1/runs/**",
    "GET,  /api/v1/runs/special,     public /api/v1/runs/special carve-out=yes",
    "GET,  /api/v2/anything,         human /api/**",
    "GET,  /api,                     human /api/**",
    "GET,  /a/x,                     human /a/*",
    "GET,  /a/x/y,                   human /a/*/**",
    "GET,  /a/b/c,                   human /a/b/**",
    "GET,  /z/b/c,                   human /*/b/c",
    "GET,  /,                        public /",
    "GET,  /unknown,                 NONE",
  })
  void theMostSpecificMatchingRuleWins(String method, String path, String expected) {
    Policy policy =
        Policy.parse(
            """
            human   /api/**
            machine /api/v1/runs/**
            machine /api/v1/runs/{id}  methods=GET
            public  /api/v1/runs/special  carve-out=yes
            human   /a/*
            human   /a/*/**
            human   /a/b/**
            human   /*/b/c
            public  /
            """,
            "p");
    Rule rule = policy.match(method, path);
    if (expected.equals("NONE")) {
      assertThat(rule).isNull();
    } else {
      assertThat(rule).isNotNull();
      assertThat(rule.toPolicyLine()).isEqualTo(expected);
    }
  }

  @Test
  void literalBeatsWildcardBeatsDoubleStarAtTheFirstDifference() {
    Policy policy =
        Policy.parse(
            """
            human   /a/*/c
            machine /a/b/**
            """,
            "p");
    // At the second segment the literal "b" beats "*", whatever comes later.
    assertThat(policy.match("GET", "/a/b/c").access()).isEqualTo(Access.MACHINE);
    assertThat(policy.match("GET", "/a/x/c").access()).isEqualTo(Access.HUMAN);
  }

  @Test
  void oneTrailingSlashIsIgnored() {
    Policy policy = Policy.parse("human /a/b\nmachine /c/**\n", "p");
    assertThat(policy.match("GET", "/a/b/")).isEqualTo(Rule.human("/a/b"));
    assertThat(policy.match("GET", "/a/b")).isEqualTo(Rule.human("/a/b"));
    assertThat(policy.match("GET", "/c/")).isEqualTo(Rule.machine("/c/**"));
    assertThat(policy.match("GET", "/a/b/c")).isNull();
  }

  @Test
  void matchingIsCaseSensitive() {
    Policy policy = Policy.parse("human /api/v1/accounts/**\n", "p");
    assertThat(policy.match("GET", "/api/v1/accounts/me")).isNotNull();
    assertThat(policy.match("GET", "/API/v1/accounts/me")).isNull();
    assertThat(policy.match("GET", "/api/V1/Accounts/me")).isNull();
  }

  @Test
  void methodsAreExplicit() {
    Policy policy = Policy.parse("machine /runs methods=GET\npublic /runs methods=OPTIONS\n", "p");
    assertThat(policy.match("GET", "/runs").access()).isEqualTo(Access.MACHINE);
    assertThat(policy.match("HEAD", "/runs"))
        .as("HEAD is decided as GET")
        .isSameAs(policy.match("GET", "/runs"));
    assertThat(policy.match("GET", "/runs").methods()).containsExactly("GET", "HEAD");
    assertThat(policy.match("OPTIONS", "/runs").access()).isEqualTo(Access.PUBLIC);
    assertThat(policy.match("get", "/runs")).as("methods are exact case").isNull();
  }

  @Test
  void headFollowsGetSoABroaderRuleNeverDecidesHeadForAProtectedGet() {
    Policy policy =
        Policy.parse("public /site/** methods=GET,HEAD\nhuman /site/reports/** methods=GET\n", "p");
    assertThat(policy.match("HEAD", "/site/reports/1").access()).isEqualTo(Access.HUMAN);
    assertThat(policy.match("HEAD", "/site/index").access()).isEqualTo(Access.PUBLIC);
    assertThat(Policy.parse("human /a methods=GET\n", "p"))
        .isEqualTo(Policy.parse("human /a methods=GET,HEAD\n", "p"));
  }

  @Test
  void aRuleNamingHeadWithoutGetIsAPolicyError() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class, () -> Policy.parse("public /ping methods=HEAD\n", "p"));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("p:1");
              assertThat(p.message()).contains("HEAD without GET");
              assertThat(p.fix()).isEqualTo("write methods=GET,HEAD, or leave HEAD out");
            });
    assertThatThrownBy(() -> Rule.publicRoute("/ping").withMethods("HEAD", "POST"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A policy of {@code rules} with exactly the public rules that the builder names as holes marked
   * {@code carve-out=yes}: built once unmarked, then again with the marks.
   */
  static Policy withCarveOutsMarked(List<Rule> rules) {
    Policy.Builder plain = Policy.builder();
    for (int i = 0; i < rules.size(); i++) {
      plain.rule(rules.get(i), "rule " + i);
    }
    Set<String> holes = new HashSet<>();
    try {
      return plain.build();
    } catch (ConfigurationException e) {
      for (Problem p : e.problems()) {
        assertThat(p.message()).contains(" opens a hole in ");
        holes.add(p.subject());
      }
    }
    Policy.Builder marked = Policy.builder();
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      marked.rule(holes.contains("rule " + i) ? r.withCarveOut() : r, "rule " + i);
    }
    return marked.build();
  }

  @Test
  void aMethodRestrictedRuleDoesNotShadowOtherMethods() {
    Policy policy = Policy.parse("public /healthz methods=GET carve-out=yes\nhuman /**\n", "p");
    assertThat(policy.match("GET", "/healthz").access()).isEqualTo(Access.PUBLIC);
    assertThat(policy.match("POST", "/healthz").access()).isEqualTo(Access.HUMAN);
  }

  @Test
  void aPublicRuleInsideAProtectedSubtreeIsRefusedNamingBothRules() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Policy.parse(
                    """
                    human   /api/**
                    machine /api/v1/runs/{id}  methods=GET
                    public  /api/health
                    public  /api/v1/runs/special
                    public  /healthz
                    """,
                    "app.policy"));
    assertThat(e.problems())
        .extracting(Problem::subject)
        .containsExactly("app.policy:3", "app.policy:4");
    Problem health = e.problems().get(0);
    assertThat(health.message())
        .isEqualTo(
            "public /api/health opens a hole in app.policy:1 (human /api/**): requests it decides"
                + " would otherwise need a human credential");
    assertThat(health.fix())
        .isEqualTo(
            "if the hole is intended, mark the rule as a carve-out (carve-out=yes in a policy file,"
                + " Rule.withCarveOut() in code, @PublicRoute(carveOut = true) on a handler);"
                + " otherwise move the route out from under /api/**");
    // The rule that would otherwise decide is named: the most specific protected one.
    assertThat(e.problems().get(1).message())
        .startsWith(
            "public /api/v1/runs/special opens a hole in app.policy:2 (machine /api/v1/runs/{id}"
                + " methods=GET,HEAD)");
  }

  @Test
  void aMarkedCarveOutIsAcceptedAndTheBuilderGivesAnEqualPolicy() {
    Policy parsed =
        Policy.parse(
            """
            human   /api/**
            public  /api/health  methods=GET  carve-out=yes
            """,
            "app.policy");
    Rule health = parsed.match("GET", "/api/health");
    assertThat(health.access()).isEqualTo(Access.PUBLIC);
    assertThat(health.carveOut()).isTrue();
    assertThat(health.toPolicyLine())
        .isEqualTo("public /api/health methods=GET,HEAD carve-out=yes");
    // A method the carve-out does not cover stays protected.
    assertThat(parsed.match("POST", "/api/health").access()).isEqualTo(Access.HUMAN);
    Policy built =
        Policy.builder()
            .rule(Rule.human("/api/**"))
            .rule(Rule.publicRoute("/api/health").withMethods("GET").withCarveOut())
            .build();
    assertThat(built).isEqualTo(parsed);
    assertThat(Policy.parse(parsed.render(), "again")).isEqualTo(parsed);
    assertThat(Rule.publicRoute("/x").withCarveOut().withMethods("GET").carveOut()).isTrue();
    assertThat(Rule.publicRoute("/x").withCarveOut()).isNotEqualTo(Rule.publicRoute("/x"));
  }

  @Test
  void onlyAPublicRuleThatTakesRequestsFromAProtectedOneIsAHole() {
    // Less specific than the protected rule, a disjoint method, debug and deny rules (which still
    // need a credential, or admit nobody), a public rule alone: no hole, no mark needed.
    Policy policy =
        Policy.parse(
            """
            public  /docs/**
            human   /docs/private/**
            human   /api/**            methods=POST
            public  /api/status        methods=GET
            human   /admin/**
            debug   /admin/debug/**    plane=machine
            deny    /admin/export
            public  /healthz
            """,
            "p");
    assertThat(policy.rules()).noneMatch(Rule::carveOut);
    // Equal specificity with another outcome stays a conflict, marked or not.
    assertThatThrownBy(() -> Policy.parse("human /api/{id}\npublic /api/* carve-out=yes\n", "p"))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p.message()).startsWith("conflicts with p:1")));
  }

  @Test
  void aCarveOutMarkerMustCarveSomethingAndOnlyPublicRulesCarry() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Policy.parse(
                    """
                    public  /healthz       carve-out=yes
                    human   /api/**
                    human   /admin/**      carve-out=yes
                    public  /api/a         carve-out=maybe
                    public  /api/b         carve-out=no
                    """,
                    "p"));
    assertThat(e.problems())
        .extracting(Problem::subject)
        .containsExactly("p:3", "p:4", "p:1", "p:5");
    assertThat(e.problems().get(0).message())
        .isEqualTo(
            "carve-out=yes is only for public rules: only they can open a hole in a protected rule");
    assertThat(e.problems().get(0).fix())
        .isEqualTo("remove carve-out=yes; only a public rule can be a carve-out");
    assertThat(e.problems().get(1).message()).isEqualTo("unknown carve-out value \"maybe\"");
    assertThat(e.problems().get(2).message())
        .isEqualTo(
            "public /healthz carve-out=yes is marked as a carve-out but no human or machine rule"
                + " covers its paths");
    assertThat(e.problems().get(2).fix()).startsWith("remove carve-out=yes");
    // carve-out=no is the default: /api/b is a hole like any other.
    assertThat(e.problems().get(3).message()).startsWith("public /api/b opens a hole in p:2");
    assertThatThrownBy(() -> Rule.human("/x").withCarveOut())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rulesMatchingTheSameRequestsAtEqualSpecificityAreRefused() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Policy.parse(
                    """
                    human   /a/{id}
                    machine /a/*
                    machine /b/** methods=GET,POST
                    human   /b/** methods=POST
                    machine /c/** methods=GET
                    human   /c/** methods=POST
                    human   /d
                    human   /d   methods=GET
                    """,
                    "p"));
    assertThat(e.problems()).extracting(Problem::subject).containsExactly("p:2", "p:4", "p:8");
    assertThat(e.problems().get(0).message()).contains("conflicts with p:1");
    assertThat(e.problems().get(2).message()).contains("overlaps p:7");
    assertThat(e.problems().get(2).fix()).contains("merge");
  }

  @Test
  void everyLoadErrorIsListedWithItsLine() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Policy.parse(
                    """
                    admin   /x
                    database /migrate
                    human
                    human   api/x
                    human   /a/**/b
                    human   /a//b
                    human   /a/b*
                    human   /a/
                    human   /a roles=x
                    human   /a methods=GET methods=POST
                    human   /a methods=get
                    human   /a methods=TRACE
                    human   /a scopes=
                    human   /a plane=human
                    debug   /d
                    debug   /d plane=database
                    debug   /d plane=robot
                    public  /p scopes=x
                    human   /a/../b
                    human   /a/%2e
                    human   /ok
                    """,
                    "bad.policy"));
    assertThat(e.problems())
        .extracting(Problem::subject)
        .containsExactly(
            "bad.policy:1",
            "bad.policy:2",
            "bad.policy:3",
            "bad.policy:4",
            "bad.policy:5",
            "bad.policy:6",
            "bad.policy:7",
            "bad.policy:8",
            "bad.policy:9",
            "bad.policy:10",
            "bad.policy:11",
            "bad.policy:12",
            "bad.policy:13",
            "bad.policy:14",
            "bad.policy:15",
            "bad.policy:16",
            "bad.policy:17",
            "bad.policy:18",
            "bad.policy:19",
            "bad.policy:20");
    List<String> messages = e.problems().stream().map(Problem::message).toList();
    assertThat(messages.get(0)).contains("unknown access");
    assertThat(messages.get(1)).contains("database plane");
    assertThat(messages.get(2)).contains("missing route pattern");
    assertThat(messages.get(3)).contains("must start with /");
    assertThat(messages.get(4)).contains("** must be the last segment");
    assertThat(messages.get(5)).contains("empty segment");
    assertThat(messages.get(6)).contains("whole segment");
    assertThat(messages.get(7)).contains("must not end with /");
    assertThat(messages.get(8)).contains("unknown option");
    assertThat(messages.get(9)).contains("given twice");
    assertThat(messages.get(10)).contains("unknown method");
    assertThat(messages.get(11)).contains("unknown method");
    assertThat(messages.get(12)).contains("needs a value");
    assertThat(messages.get(13)).contains("only for debug rules");
    assertThat(messages.get(14)).contains("need plane=");
    assertThat(messages.get(15)).contains("database plane");
    assertThat(messages.get(16)).contains("unknown plane");
    assertThat(messages.get(17)).contains("no scopes=");
    assertThat(messages.get(18)).contains("dot segment");
    assertThat(messages.get(19)).contains("decoded path");
    for (Problem p : e.problems()) {
      assertThat(p.fix()).isNotBlank();
    }
  }

  @Test
  void anEmptyPolicyIsRefused() {
    assertThatThrownBy(() -> Policy.parse("# only comments\n\n   \n", "empty.policy"))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.subject()).isEqualTo("empty.policy");
                        assertThat(p.message()).contains("no rules");
                      });
            });
    assertThatThrownBy(() -> Policy.builder().build()).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void commentsAndWhitespaceAreIgnored() {
    Policy policy = Policy.parse("  human\t/a   # the accounts\r\n#x\n\tpublic /b#c\n", "p");
    assertThat(policy.rules()).containsExactly(Rule.human("/a"), Rule.publicRoute("/b"));
  }

  @Test
  void theBuilderRejectsDuplicatesAndTheDatabasePlane() {
    assertThatThrownBy(
            () ->
                Policy.builder().rule(Rule.human("/a")).rule(Rule.human("/a"), "Handler#a").build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.problems().get(0).subject()).isEqualTo("Handler#a"));
    assertThatThrownBy(() -> Rule.debug("/d", Plane.DATABASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database plane");
    assertThatThrownBy(
            () ->
                new Rule(Access.PUBLIC, "/p", java.util.Set.of(), java.util.Set.of(), Plane.HUMAN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tenThousandRulesLoadMatchAndStillDetectConflicts() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String access = i % 3 == 0 ? "human" : i % 3 == 1 ? "machine" : "public";
      text.append(access)
          .append(" /svc")
          .append(i % 100)
          .append("/res")
          .append(i)
          .append("/{id}/**\n");
    }
    Policy policy = Policy.parse(text.toString(), "big.policy");
    assertThat(policy.rules()).hasSize(10_000);
    for (int i = 0; i < 10_000; i += 997) {
      Rule rule = policy.match("GET", "/svc" + (i % 100) + "/res" + i + "/7/x/y");
      assertThat(rule).isNotNull();
      assertThat(rule.pattern()).isEqualTo("/svc" + (i % 100) + "/res" + i + "/{id}/**");
      assertThat(policy.origin(rule)).isEqualTo("big.policy:" + (i + 1));
    }
    assertThat(policy.match("GET", "/svc1/res2/7")).isNull();

    String withConflict = text + "machine /svc42/res9942/*/**\n";
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class, () -> Policy.parse(withConflict, "big.policy"));
    assertThat(e.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("big.policy:9943"));
  }

  @Test
  void policiesDoNotCompareOrigins() {
    Policy a = Policy.parse("human /a\n", "one");
    Policy b = Policy.parse("\n\nhuman /a\n", "two");
    assertThat(a).isEqualTo(b);
    assertThat(a.origin(Rule.human("/a"))).isEqualTo("one:1");
    assertThat(b.origin(Rule.human("/a"))).isEqualTo("two:3");
    assertThat(a.uses(Plane.HUMAN)).isTrue();
    assertThat(a.uses(Plane.MACHINE)).isFalse();
    assertThat(a.rules().stream().map(Rule::toString).collect(Collectors.joining()))
        .isEqualTo("human /a");
  }
}
