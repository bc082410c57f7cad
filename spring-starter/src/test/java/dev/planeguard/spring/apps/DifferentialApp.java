package dev.planeguard.spring.apps;

import dev.planeguard.Access;
import dev.planeguard.AuditEvent;
import dev.planeguard.Decision;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Principal;
import dev.planeguard.Reason;
import dev.planeguard.Rule;
import dev.planeguard.annotation.DebugRoute;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.annotation.PublicRoute;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.servlet.PlaneGuardFilter;
import dev.planeguard.spring.PlaneGuardCustomizer;
import dev.planeguard.test.PathConfusionKit;
import dev.planeguard.test.TestIssuer;
import jakarta.annotation.security.DenyAll;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * A differential oracle for the dispatch invariant: a handler runs only under a rule that covers
 * it. The application has handlers whose Spring MVC matching differs from the policy's (regular
 * expressions, suffixes, {@code params=}, {@code headers=} and {@code consumes=} conditions beside
 * broader handlers of another plane, HEAD served by GET handlers, a method override, a servlet
 * path); each records what it saw when it ran. {@link #EXPECTED} says, written by hand from the
 * annotations and {@code differential.policy}, what every handler requires, and {@link #violations}
 * checks each run against it. The request model ({@link #generate}) is shared by the differential
 * test and the fuzz test.
 */
public final class DifferentialApp {

  /** The mode the application runs in. */
  public static final Mode MODE = Mode.TEST;

  /** Scope the human token with scopes holds; {@code c.all} requires it. */
  public static final String NOTES_WRITE = "notes:write";

  /** Scopes the machine key with scopes holds. */
  public static final List<String> MACHINE_SCOPES =
      List.of("runs:read", "runs:write", "feedback:write");

  /** What a handler saw when it ran. */
  public record Run(
      String handler, String method, @Nullable Object decision, @Nullable Object principal) {}

  /** The handlers that ran since the last {@link Running#exchange}, in order. */
  static final List<Run> RUNS = new CopyOnWriteArrayList<>();

  /** The audit events since the last {@link Running#exchange}, in order. */
  static final List<AuditEvent> AUDIT = new CopyOnWriteArrayList<>();

  private DifferentialApp() {}

  static String ran(String handler, HttpServletRequest request) {
    RUNS.add(
        new Run(
            handler,
            request.getMethod(),
            request.getAttribute(PlaneGuardFilter.DECISION_ATTRIBUTE),
            request.getAttribute(PlaneGuardFilter.PRINCIPAL_ATTRIBUTE)));
    return handler;
  }

  // ---- the oracle ----

  /**
   * What a handler requires: access, plane ({@code null} for public and deny) and scopes.
   *
   * @param access who may call it
   * @param plane the plane of the credential it needs
   * @param scopes the scopes the caller must hold
   */
  public record Expected(Access access, @Nullable Plane plane, Set<String> scopes) {
    static Expected open() {
      return new Expected(Access.PUBLIC, null, Set.of());
    }

    static Expected human(String... scopes) {
      return new Expected(Access.HUMAN, Plane.HUMAN, Set.of(scopes));
    }

    static Expected machine(String... scopes) {
      return new Expected(Access.MACHINE, Plane.MACHINE, Set.of(scopes));
    }

    static Expected debug(Plane plane) {
      return new Expected(Access.DEBUG, plane, Set.of());
    }

    static Expected closed() {
      return new Expected(Access.DENY, null, Set.of());
    }

    @Override
    public String toString() {
      return access.id()
          + (access == Access.DEBUG && plane != null ? " plane=" + plane.id() : "")
          + (scopes.isEmpty() ? "" : " scopes=" + String.join(",", new TreeSet<>(scopes)));
    }
  }

  /**
   * Every handler and what it requires, read off its annotations (or, for the {@code site.*}
   * handlers, which declare nothing, off {@code differential.policy}). Written by hand on purpose:
   * computing it with planeguard's own coverage would check planeguard against itself.
   */
  public static final Map<String, Expected> EXPECTED =
      Map.ofEntries(
          Map.entry("docs.page", Expected.open()), //       @PublicRoute GET /docs/{page:[a-z]+}
          Map.entry("docs.all", Expected.human()), //       @HumanPlane GET /docs/**
          Map.entry("img.png", Expected.open()), //         @PublicRoute GET /img/{name}.png
          Map.entry("img.all", Expected.machine()), //      @MachinePlane GET /img/**
          Map.entry("fb.post", Expected.open()), //         @PublicRoute POST /feedback
          Map.entry("fb.delete", Expected.human()), //      @HumanPlane DELETE /feedback
          Map.entry("fb.put", Expected.machine("feedback:write")), // @MachinePlane PUT /feedback
          Map.entry("site.report", Expected.human()), //    file: human /site/reports/** GET
          Map.entry("site.page", Expected.open()), //       file: public /site/** GET,HEAD
          Map.entry("q.preview", Expected.open()), //       @PublicRoute GET /q/{term} preview
          Map.entry("q.all", Expected.human()), //          @HumanPlane GET /q/**
          Map.entry("h.preview", Expected.open()), //       @PublicRoute GET /h/{term} X-Preview=yes
          Map.entry("h.all", Expected.machine()), //        @MachinePlane GET /h/**
          Map.entry("c.text", Expected.open()), //          @PublicRoute POST /c/{term} text/plain
          Map.entry("c.all", Expected.human(NOTES_WRITE)), // @HumanPlane(notes:write) POST /c/**
          Map.entry("any.all", Expected.human()), //        @HumanPlane /any/{x}, every method
          Map.entry("ops.all", Expected.machine()), //      @MachinePlane /ops/{x}, 7 methods listed
          Map.entry("dbg.info", Expected.debug(Plane.HUMAN)), // @DebugRoute(HUMAN) GET /debug/info
          Map.entry("runs.get", Expected.machine("runs:read")), // class @MachinePlane(runs:read)
          Map.entry("runs.create", Expected.machine("runs:write")), // method overrides the class
          Map.entry("runs.purge", Expected.closed()), //    @DenyAll DELETE /api/runs/{id:\d+}
          Map.entry("runs.byName", Expected.human())); //   @HumanPlane PATCH /api/runs/{name}

  /**
   * What is wrong with one handler run, for a request the application answered in {@code mode}:
   * nothing for a public handler; otherwise the allowing decision's rule must have the handler's
   * access and plane, at least its scopes, and cover the method the handler saw, and the caller
   * must be of that plane and hold those scopes. A deny handler never runs, nor a debug handler in
   * prod.
   */
  public static List<String> violations(Run run, Mode mode) {
    List<String> found = new ArrayList<>();
    Expected expected = EXPECTED.get(run.handler());
    if (expected == null) {
      found.add("handler " + run.handler() + " ran but has no expected outcome");
      return found;
    }
    String who = "handler " + run.handler() + " (" + expected + ") saw " + run.method();
    switch (expected.access()) {
      case PUBLIC -> {
        return found;
      }
      case DENY -> {
        found.add(who + ": a @DenyAll handler ran");
        return found;
      }
      case DEBUG -> {
        if (mode.isProductionLike()) {
          found.add(who + ": a debug handler ran in " + mode);
        }
      }
      default -> {}
    }
    if (!(run.decision() instanceof Decision decision) || !decision.allowed()) {
      found.add(who + ": no allowing decision in the request (" + run.decision() + ")");
      return found;
    }
    Rule rule = decision.rule();
    if (rule == null) {
      found.add(who + ": the allowing decision has no rule");
      return found;
    }
    String under = who + " under `" + rule.toPolicyLine() + "`";
    if (rule.access() != expected.access()) {
      found.add(under + ": access " + rule.access().id() + ", expected " + expected.access().id());
    }
    if (rule.plane() != expected.plane()) {
      found.add(under + ": plane " + rule.plane() + ", expected " + expected.plane());
    }
    if (!rule.scopes().containsAll(expected.scopes())) {
      found.add(under + ": the rule does not require " + expected.scopes());
    }
    if (!rule.covers(run.method())) {
      found.add(under + ": the rule does not cover " + run.method());
    }
    if (!(run.principal() instanceof Principal principal)) {
      found.add(under + ": no caller (" + run.principal() + ")");
      return found;
    }
    boolean planeOk =
        expected.plane() == Plane.HUMAN
            ? principal instanceof HumanPrincipal
            : principal instanceof MachinePrincipal;
    if (!planeOk) {
      found.add(under + ": the caller is a " + principal.getClass().getSimpleName());
    }
    if (!principal.scopes().containsAll(expected.scopes())) {
      found.add(under + ": the caller holds " + principal.scopes() + ", not " + expected.scopes());
    }
    return found;
  }

  // ---- the application ----

  /** The application: every handler below, Spring Security stateless, audit events recorded. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({
    Docs.class,
    Feedback.class,
    Site.class,
    Conditions.class,
    AllMethods.class,
    Debug.class,
    Runs.class,
    RunNames.class,
    ParityApps.Stateless.class,
    Audit.class
  })
  public static class App {}

  /** Audit events go to {@link #AUDIT}, instead of the log: the test sends thousands. */
  @Configuration(proxyBeanMethods = false)
  public static class Audit {
    @Bean
    PlaneGuardCustomizer differentialAudit() {
      return builder -> builder.auditSink(AUDIT::add);
    }
  }

  /** A regular expression and a suffix in public mappings beside protected catch-alls. */
  @RestController
  public static class Docs {
    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping("/docs/{page:[a-z]+}")
    public String page(HttpServletRequest request) {
      return ran("docs.page", request);
    }

    @HumanPlane
    @GetMapping("/docs/**")
    public String all(HttpServletRequest request) {
      return ran("docs.all", request);
    }

    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping("/img/{name}.png")
    public String png(HttpServletRequest request) {
      return ran("img.png", request);
    }

    @MachinePlane
    @GetMapping("/img/**")
    public String img(HttpServletRequest request) {
      return ran("img.all", request);
    }
  }

  /** Three planes on one path, told apart by the method: the method override case. */
  @RestController
  public static class Feedback {
    @PublicRoute
    @PostMapping("/feedback")
    public String post(HttpServletRequest request) {
      return ran("fb.post", request);
    }

    @HumanPlane
    @DeleteMapping("/feedback")
    public String delete(HttpServletRequest request) {
      return ran("fb.delete", request);
    }

    @MachinePlane(scopes = "feedback:write")
    @PutMapping("/feedback")
    public String put(HttpServletRequest request) {
      return ran("fb.put", request);
    }
  }

  /** No annotations: the policy file gives these their planes, and HEAD is served by GET. */
  @RestController
  public static class Site {
    @GetMapping("/site/reports/{id}")
    public String report(HttpServletRequest request) {
      return ran("site.report", request);
    }

    @GetMapping("/site/{page}")
    public String page(HttpServletRequest request) {
      return ran("site.page", request);
    }
  }

  /** Conditions on a parameter, a header and the media type, each beside a broader handler. */
  @RestController
  public static class Conditions {
    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping(value = "/q/{term}", params = "preview")
    public String preview(HttpServletRequest request) {
      return ran("q.preview", request);
    }

    @HumanPlane
    @GetMapping("/q/**")
    public String query(HttpServletRequest request) {
      return ran("q.all", request);
    }

    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @GetMapping(value = "/h/{term}", headers = "X-Preview=yes")
    public String headerPreview(HttpServletRequest request) {
      return ran("h.preview", request);
    }

    @MachinePlane
    @GetMapping("/h/**")
    public String header(HttpServletRequest request) {
      return ran("h.all", request);
    }

    @PublicRoute(carveOut = true) // a hole in the protected catch-all beside it, on purpose
    @PostMapping(value = "/c/{term}", consumes = "text/plain")
    public String text(HttpServletRequest request) {
      return ran("c.text", request);
    }

    @HumanPlane(scopes = NOTES_WRITE)
    @PostMapping("/c/**")
    public String content(HttpServletRequest request) {
      return ran("c.all", request);
    }
  }

  /**
   * A handler for every method without naming one (Spring answers OPTIONS itself), and one naming
   * all seven (OPTIONS reaches it).
   */
  @RestController
  public static class AllMethods {
    @HumanPlane
    @RequestMapping("/any/{x}")
    public String any(HttpServletRequest request) {
      return ran("any.all", request);
    }

    @MachinePlane
    @RequestMapping(
        value = "/ops/{x}",
        method = {
          RequestMethod.GET,
          RequestMethod.HEAD,
          RequestMethod.POST,
          RequestMethod.PUT,
          RequestMethod.PATCH,
          RequestMethod.DELETE,
          RequestMethod.OPTIONS
        })
    public String ops(HttpServletRequest request) {
      return ran("ops.all", request);
    }
  }

  /** A debug route: a human token outside prod, 404 in prod. */
  @RestController
  public static class Debug {
    @DebugRoute(plane = Plane.HUMAN)
    @GetMapping("/debug/info")
    public String info(HttpServletRequest request) {
      return ran("dbg.info", request);
    }
  }

  /** A machine controller: the class declares the plane and a scope, one method its own scope. */
  @RestController
  @MachinePlane(scopes = "runs:read")
  @RequestMapping("/api/runs")
  public static class Runs {
    @GetMapping("/{id:\\d+}")
    public String get(HttpServletRequest request) {
      return ran("runs.get", request);
    }

    @MachinePlane(scopes = "runs:write")
    @PostMapping
    public String create(HttpServletRequest request) {
      return ran("runs.create", request);
    }

    @DenyAll
    @DeleteMapping("/{id:\\d+}")
    public String purge(HttpServletRequest request) {
      return ran("runs.purge", request);
    }
  }

  /**
   * A plain variable on the level where {@link Runs} has a regular expression, for another method:
   * with a method in common the two mappings would be one policy pattern, {@code /api/runs/*},
   * declared twice, and the application would not start.
   */
  @RestController
  public static class RunNames {
    @HumanPlane
    @PatchMapping("/api/runs/{name}")
    public String byName(HttpServletRequest request) {
      return ran("runs.byName", request);
    }
  }

  // ---- credentials and the running application ----

  /** The credentials a request may carry, named in reports by kind only. */
  public enum Credential {
    NONE("no credential"),
    HUMAN_SCOPED("human token with scopes"),
    HUMAN_UNSCOPED("human token without scopes"),
    MACHINE_SCOPED("machine key with scopes"),
    MACHINE_UNSCOPED("machine key without scopes"),
    INVALID_TOKEN("invalid bearer token"),
    INVALID_KEY("invalid machine key"),
    BOTH_CARRIERS("human token and machine key");

    private final String label;

    Credential(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * A test issuer whose keys the application reads from a file (no network at run time), two tokens
   * and two machine keys in a key file. Close it after the applications.
   */
  public static final class Fixture implements AutoCloseable {
    final TestIssuer issuer;
    final Path jwks;
    final Path keys;
    final Map<Credential, List<String[]>> headers = new EnumMap<>(Credential.class);

    /** Creates the issuer, the credentials and their files in {@code dir}. */
    public static Fixture create(Path dir) {
      return new Fixture(dir);
    }

    private Fixture(Path dir) {
      issuer =
          TestIssuer.builder()
              .issuerId("https://issuer.example.test")
              .tokenLifetime(Duration.ofHours(1))
              .start();
      try {
        jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, issuer.publicJwks().toString());
        keys = dir.resolve("differential-keys.jsonl");
        ApiKey scoped = ApiKey.generate(ApiKey.Kind.MACHINE, MODE);
        ApiKey unscoped = ApiKey.generate(ApiKey.Kind.MACHINE, MODE);
        try (KeyFile f = KeyFile.openOrCreate(keys)) {
          f.add(KeyRecord.of(scoped, null, Set.copyOf(MACHINE_SCOPES), null));
          f.add(KeyRecord.of(unscoped, null, Set.of(), null));
        }
        String bearer = "Bearer " + issuer.token().subject("user_scoped").scope(NOTES_WRITE).sign();
        String plainBearer = "Bearer " + issuer.token().subject("user_plain").sign();
        String[] human = {"Authorization", bearer};
        String[] machine = {"X-AOS-Key", scoped.value()};
        headers.put(Credential.NONE, List.of());
        headers.put(Credential.HUMAN_SCOPED, List.<String[]>of(human));
        headers.put(Credential.HUMAN_UNSCOPED, header("Authorization", plainBearer));
        headers.put(Credential.MACHINE_SCOPED, List.<String[]>of(machine));
        headers.put(Credential.MACHINE_UNSCOPED, header("X-AOS-Key", unscoped.value()));
        headers.put(Credential.INVALID_TOKEN, header("Authorization", "Bearer e30.e30.e30"));
        headers.put(Credential.INVALID_KEY, header("X-AOS-Key", "aos_mk_test_invalid"));
        headers.put(Credential.BOTH_CARRIERS, List.of(human, machine));
      } catch (IOException e) {
        issuer.close();
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        issuer.close();
        throw e;
      }
    }

    private static List<String[]> header(String name, String value) {
      return List.<String[]>of(new String[] {name, value});
    }

    /**
     * Starts the application on Tomcat.
     *
     * @param servletPath {@code ""}, or the DispatcherServlet's path such as {@code /svc}
     * @param methodOverride whether Spring Boot's {@code HiddenHttpMethodFilter} is on
     */
    public Running start(String servletPath, boolean methodOverride) {
      List<String> props =
          new ArrayList<>(
              List.of(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "AOS_MODE=" + MODE.id(),
                  "DB_AUTHORITY=neon",
                  "planeguard.human.issuer=" + issuer.issuerId(),
                  "planeguard.human.jwks-uri=" + jwks.toUri(),
                  "planeguard.human.audiences=" + issuer.audience(),
                  "planeguard.machine.keys-file=" + keys,
                  "planeguard.policy-location=classpath:differential.policy",
                  "spring.mvc.hiddenmethod.filter.enabled=" + methodOverride,
                  "management.endpoints.web.exposure.include=health",
                  "management.endpoints.web.discovery.enabled=false",
                  // Thousands of requests end in 404 or 405 on purpose: no line for each.
                  "logging.level.org.springframework.web=ERROR",
                  "logging.level.org.apache.coyote.http11=WARN",
                  "spring.main.banner-mode=off",
                  "spring.autoconfigure.exclude="
                      + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                      + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"));
      if (!servletPath.isEmpty()) {
        props.add("spring.mvc.servlet.path=" + servletPath);
      }
      ConfigurableApplicationContext context =
          new SpringApplicationBuilder(App.class).properties(props.toArray(String[]::new)).run();
      int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "0"));
      return new Running(context, port, servletPath, methodOverride, this);
    }

    @Override
    public void close() {
      issuer.close();
    }
  }

  /**
   * One request and what came of it.
   *
   * @param probe the request
   * @param status the answer's status, {@code -1} if none
   * @param runs the handlers that ran for it
   * @param audit the audit events it caused
   * @param violations what broke the invariant, each line naming the request
   */
  public record Exchange(
      Probe probe, int status, List<Run> runs, List<AuditEvent> audit, List<String> violations) {

    /** Whether planeguard refused a handler Spring MVC had chosen for this request. */
    public boolean dispatchMismatch() {
      return audit.stream().anyMatch(e -> e.reason() == Reason.DISPATCH_MISMATCH);
    }
  }

  /** The application running on Tomcat, and the client that talks to it. */
  public static final class Running implements AutoCloseable {
    private final ConfigurableApplicationContext context;
    private final int port;
    private final RawHttp client;
    private final String servletPath;
    private final boolean methodOverride;
    private final Fixture fixture;

    Running(
        ConfigurableApplicationContext context,
        int port,
        String servletPath,
        boolean methodOverride,
        Fixture fixture) {
      this.context = context;
      this.port = port;
      this.client = new RawHttp("127.0.0.1", port, 10_000);
      this.servletPath = servletPath;
      this.methodOverride = methodOverride;
      this.fixture = fixture;
    }

    /** The port Tomcat listens on, on 127.0.0.1. */
    public int port() {
      return port;
    }

    /** {@code ""} or the servlet path. */
    public String servletPath() {
      return servletPath;
    }

    /** Whether the method override filter is on. */
    public boolean methodOverride() {
      return methodOverride;
    }

    /**
     * Sends {@code probe} and checks every handler that ran for it. One request at a time: the
     * handler log and the audit events in between belong to it.
     */
    public Exchange exchange(Probe probe) {
      RUNS.clear();
      AUDIT.clear();
      List<String[]> headers = new ArrayList<>(fixture.headers.get(probe.credential()));
      if (probe.preview()) {
        headers.add(new String[] {"X-Preview", "yes"});
      }
      if (probe.contentType() != null) {
        headers.add(new String[] {"Content-Type", probe.contentType()});
      }
      int status;
      String failure = null;
      try {
        status = client.send(probe.method(), probe.target(), headers, probe.body()).status();
      } catch (IOException e) {
        status = -1;
        failure = e.getClass().getSimpleName();
      }
      List<Run> runs = List.copyOf(RUNS);
      List<AuditEvent> audit = List.copyOf(AUDIT);
      List<String> violations = new ArrayList<>();
      for (Run run : runs) {
        for (String v : DifferentialApp.violations(run, MODE)) {
          violations.add(probe.describe() + " -> " + status + ": " + v);
        }
      }
      if (failure != null) {
        violations.add(probe.describe() + ": no answer (" + failure + ")");
      }
      return new Exchange(probe, status, runs, audit, List.copyOf(violations));
    }

    @Override
    public void close() {
      context.close();
    }
  }

  // ---- the request model ----

  /**
   * The source of every choice the request model makes: a random generator started from a fixed
   * value, or the fuzzer's input.
   */
  @FunctionalInterface
  public interface Choices {
    /** A number from 0 to {@code n - 1}. */
    int below(int n);

    /** One of {@code options}. */
    default <T> T pick(List<T> options) {
      return options.get(below(options.size()));
    }

    /** {@code true} with probability one in {@code n}. */
    default boolean oneIn(int n) {
      return below(n) == 0;
    }
  }

  /**
   * One request: method, raw target (with the query), credential, {@code X-Preview: yes}, {@code
   * Content-Type} and body.
   */
  public record Probe(
      String method,
      String target,
      Credential credential,
      boolean preview,
      @Nullable String contentType,
      String body) {

    /** The request as reports show it: the credential by its kind, never its value. */
    public String describe() {
      StringBuilder sb = new StringBuilder(method).append(' ').append(printable(target));
      sb.append(" [").append(credential);
      if (preview) {
        sb.append("; X-Preview: yes");
      }
      if (contentType != null) {
        sb.append("; Content-Type: ").append(contentType);
      }
      if (!body.isEmpty()) {
        sb.append("; body ").append(printable(body));
      }
      return sb.append(']').toString();
    }
  }

  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** Values for variable segments: some match the regular expressions and the suffix, some not. */
  static final List<String> VALUES =
      List.of(
          "123",
          "7",
          "abc",
          "intro",
          "Abc",
          "x.png",
          "logo.png",
          "x.PNG",
          "secret.txt",
          "a.b",
          "reports",
          "runs",
          "info",
          "index",
          "x.png.txt",
          "_",
          "%61bc",
          "12a",
          "");

  /** Segments of the application's paths, for paths assembled at random. */
  static final List<String> SEGMENTS =
      List.of(
          "docs",
          "img",
          "feedback",
          "site",
          "reports",
          "q",
          "h",
          "c",
          "any",
          "ops",
          "debug",
          "info",
          "api",
          "runs",
          "actuator",
          "health",
          "svc",
          "error");

  static final List<String> QUERIES =
      List.of(
          "",
          "",
          "",
          "preview",
          "preview=1",
          "_method=DELETE",
          "_method=PUT",
          "_method=PATCH",
          "_method=delete",
          "preview&_method=DELETE",
          "_method=GET");

  static final List<String> CONTENT_TYPES =
      List.of("text/plain", "application/x-www-form-urlencoded", "application/json");

  /** Public paths to climb out of with {@code ..} in path tricks. */
  static final List<String> DECOYS = List.of("/docs/intro", "/img/x.png", "/site/index");

  /**
   * A legitimate request for one handler; {@code {}} in the path takes a value from {@link
   * #VALUES}.
   */
  record Template(
      String method,
      String path,
      String query,
      Credential credential,
      boolean preview,
      @Nullable String contentType) {}

  static final List<Template> TEMPLATES =
      List.of(
          new Template("GET", "/docs/{}", "", Credential.NONE, false, null),
          new Template("GET", "/docs/{}/{}", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("GET", "/img/{}", "", Credential.NONE, false, null),
          new Template("GET", "/img/{}", "", Credential.MACHINE_UNSCOPED, false, null),
          new Template("GET", "/img/{}/{}", "", Credential.MACHINE_UNSCOPED, false, null),
          new Template("POST", "/feedback", "", Credential.NONE, false, null),
          new Template("DELETE", "/feedback", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("PUT", "/feedback", "", Credential.MACHINE_SCOPED, false, null),
          new Template("POST", "/feedback", "_method=DELETE", Credential.HUMAN_SCOPED, false, null),
          new Template("GET", "/site/reports/{}", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("HEAD", "/site/reports/{}", "", Credential.NONE, false, null),
          new Template("HEAD", "/site/{}", "", Credential.NONE, false, null),
          new Template("GET", "/q/{}", "preview", Credential.NONE, false, null),
          new Template("GET", "/q/{}", "", Credential.HUMAN_SCOPED, false, null),
          new Template("GET", "/q/{}/{}", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("GET", "/h/{}", "", Credential.NONE, true, null),
          new Template("GET", "/h/{}", "", Credential.MACHINE_SCOPED, false, null),
          new Template("GET", "/h/{}/{}", "", Credential.MACHINE_UNSCOPED, false, null),
          new Template("POST", "/c/{}", "", Credential.NONE, false, "text/plain"),
          new Template(
              "POST",
              "/c/{}",
              "",
              Credential.HUMAN_SCOPED,
              false,
              "application/x-www-form-urlencoded"),
          new Template("POST", "/c/{}/{}", "", Credential.HUMAN_SCOPED, false, "application/json"),
          new Template("PATCH", "/any/{}", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("POST", "/any/{}", "_method=PUT", Credential.HUMAN_SCOPED, false, null),
          new Template("OPTIONS", "/any/{}", "", Credential.HUMAN_SCOPED, false, null),
          new Template("OPTIONS", "/ops/{}", "", Credential.MACHINE_UNSCOPED, false, null),
          new Template("DELETE", "/ops/{}", "", Credential.MACHINE_SCOPED, false, null),
          new Template("GET", "/debug/info", "", Credential.HUMAN_UNSCOPED, false, null),
          new Template("GET", "/api/runs/{}", "", Credential.MACHINE_SCOPED, false, null),
          new Template("HEAD", "/api/runs/123", "", Credential.MACHINE_SCOPED, false, null),
          new Template("POST", "/api/runs", "", Credential.MACHINE_SCOPED, false, null),
          new Template("DELETE", "/api/runs/{}", "", Credential.MACHINE_SCOPED, false, null),
          new Template("PATCH", "/api/runs/{}", "", Credential.HUMAN_UNSCOPED, false, null));

  /**
   * One request for an application whose DispatcherServlet has {@code servletPath}: two in three
   * start from a legitimate request for some handler and change some of its parts, the others are
   * put together at random; one in eight has its path written with a trick of the parity kit.
   */
  public static Probe generate(Choices c, String servletPath) {
    Template t = c.oneIn(3) ? null : c.pick(TEMPLATES);
    String method = t != null && !c.oneIn(4) ? t.method() : c.pick(METHODS);
    String path = t != null && !c.oneIn(4) ? fill(t.path(), c) : randomPath(c);
    String prefix;
    if (servletPath.isEmpty()) {
      prefix = c.oneIn(12) ? "/svc" : "";
    } else {
      prefix = c.oneIn(8) ? "" : servletPath;
    }
    String target = prefix + path;
    if (c.oneIn(8)) {
      List<String> decoys = new ArrayList<>();
      for (String d : DECOYS) {
        decoys.add(prefix + d);
      }
      target = c.pick(PathConfusionKit.pathVariants(target, decoys));
    }
    String query = t != null && !c.oneIn(3) ? t.query() : c.pick(QUERIES);
    if (!query.isEmpty()) {
      target = target + "?" + query;
    }
    Credential credential =
        t != null && !c.oneIn(3) ? t.credential() : c.pick(List.of(Credential.values()));
    boolean preview = t != null && !c.oneIn(3) ? t.preview() : c.oneIn(4);
    String contentType;
    if (t != null && !c.oneIn(3)) {
      contentType = t.contentType();
    } else {
      contentType = c.oneIn(2) ? null : c.pick(CONTENT_TYPES);
    }
    String body = "";
    if (contentType != null && !method.equals("GET") && !method.equals("HEAD")) {
      body =
          contentType.startsWith("application/x-www-form-urlencoded")
              ? c.pick(List.of("note=hi", "_method=DELETE", "_method=PUT&note=hi"))
              : c.pick(List.of("hello", "{\"a\":1}"));
    }
    return new Probe(method, target, credential, preview, contentType, body);
  }

  private static String fill(String template, Choices c) {
    StringBuilder sb = new StringBuilder();
    int from = 0;
    int at;
    while ((at = template.indexOf("{}", from)) >= 0) {
      sb.append(template, from, at).append(value(c));
      from = at + 2;
    }
    sb.append(template.substring(from));
    return sb.toString();
  }

  private static String value(Choices c) {
    return c.oneIn(10) ? text(c) : c.pick(VALUES);
  }

  private static String randomPath(Choices c) {
    int segments = c.below(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= segments; i++) {
      sb.append('/').append(c.oneIn(2) ? c.pick(SEGMENTS) : value(c));
    }
    if (c.oneIn(10)) {
      sb.append('/');
    }
    return sb.toString();
  }

  /** Characters of a free-form segment: anything printable that may stand in a path. */
  private static final String ALPHABET = "abcxyzABCXYZ0129.-_~!$&'()*+,;=:@%/\\";

  /** A short free-form segment (printable ASCII, no query or fragment). */
  private static String text(Choices c) {
    int length = c.below(7);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(c.below(ALPHABET.length())));
    }
    return sb.toString();
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x20 || ch >= 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }
}
