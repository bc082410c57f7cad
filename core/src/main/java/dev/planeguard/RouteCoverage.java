package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.PathPatterns;
import dev.planeguard.internal.RouteTrie;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which policy rules may decide the requests a framework dispatches to each of its handlers. The
 * engine decides a request before the framework picks a handler, and the framework then matches by
 * its own rules (regular expressions in path variables, {@code params=} conditions, {@code HEAD}
 * served by {@code GET} handlers, method overrides, ...). Adapters describe every handler once at
 * startup; this class works out, per handler and method:
 *
 * <ul>
 *   <li>the rules that decide some path the handler's pattern matches;
 *   <li>the outcome the handler expects: what its annotations declare, or else the outcome of the
 *       policy file's rule for the paths its own pattern describes;
 *   <li>the rules it may run under: those of that outcome (same access and plane, at least its
 *       scopes; a public handler runs under any rule that lets a request through). A rule that only
 *       a handler annotation contributes covers that handler alone.
 * </ul>
 *
 * <p>At dispatch the adapter asks {@link Enforcer#confirm} with the handler's {@link Entry}: a
 * handler runs only under a rule that covers it, or the request is refused as {@link
 * Reason#DISPATCH_MISMATCH}. At startup {@link #startupProblems} reports handlers that no rule
 * covers and handlers reachable under rules of another outcome.
 * <!-- example: RouteCoverage.of -->
 *
 * <pre>{@code
 * // handlers: every handler of the framework, described once at startup
 * Policy policy = RouteCoverage.policy(filePolicy, handlers);   // file + annotations
 * Enforcer enforcer = builder.policy(policy).build();           // builder: contract, verifiers
 * RouteCoverage coverage = RouteCoverage.of(enforcer.policy(), handlers);
 * // at dispatch, with the decision the engine made at the edge:
 * Decision confirmed = enforcer.confirm(request, admitted, coverage.entry(handlerIndex));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RouteCoverage {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");
  private static final Rule[] NONE = new Rule[0];

  /**
   * One path mapping of a handler.
   *
   * @param written the mapping as the framework declares it, for messages ({@code
   *     /docs/{page:[a-z]+}})
   * @param pattern the same in policy syntax, as wide as the framework's or wider ({@code
   *     /docs/*}); {@code null} if it cannot be written as a policy pattern
   * @param widened whether {@code pattern} matches paths the framework's mapping does not (a
   *     regular expression, a suffix or a partial wildcard read as a whole segment)
   */
  public record PathMapping(String written, @Nullable String pattern, boolean widened) {

    /** Checks the parts; a pattern must be a valid policy pattern. */
    public PathMapping {
      requireNonNull(written, "written");
      if (pattern != null && Rule.patternProblem(pattern) != null) {
        throw new IllegalArgumentException(Rule.patternProblem(pattern));
      }
    }

    /**
     * A path pattern in Spring's {@code PathPattern} syntax (Spring MVC and WebFlux handler
     * mappings, WebFlux functional routes) as a mapping, as wide as Spring's or wider: a segment
     * with a regular expression ({@code {page:[a-z]+}}), a suffix or a partial wildcard becomes
     * {@code *} and the mapping is {@linkplain #widened() widened}; {@code {*rest}} and a final
     * {@code **} become {@code **}; a pattern with anything else (a {@code **} before the end,
     * unbalanced braces, {@code .} or {@code ..} segments) has no policy pattern.
     *
     * @param prefix put in front of the pattern, for a framework that matches below a path (Spring
     *     MVC's servlet path {@code /svc}); {@code ""} for none
     */
    public static PathMapping ofPathPattern(String prefix, String pattern) {
      return PathPatterns.toMapping(
          requireNonNull(pattern, "pattern"), requireNonNull(prefix, "prefix"));
    }
  }

  /**
   * A handler as the framework maps it.
   *
   * @param origin names the handler in messages, {@code com.example.OrdersController#create}
   * @param paths its path mappings, context-relative (a servlet path prefix included)
   * @param methods the methods it serves, upper case; empty means every method. A handler serving
   *     {@code GET} also serves {@code HEAD}
   * @param declared what its annotations declare, if anything
   * @param conditional whether it also requires request parameters, headers or media types, so that
   *     requests it does not accept go on to other handlers
   */
  public record Handler(
      String origin,
      List<PathMapping> paths,
      Set<String> methods,
      Optional<RouteDeclarations.Declared> declared,
      boolean conditional) {

    /** Copies the lists. */
    public Handler {
      requireNonNull(origin, "origin");
      requireNonNull(declared, "declared");
      paths = List.copyOf(paths);
      methods = Set.copyOf(methods);
    }

    /** {@code GET,POST /a /b (origin)}: how messages name the handler. */
    public String describe() {
      StringBuilder sb =
          new StringBuilder(methods.isEmpty() ? "*" : String.join(",", new TreeSet<>(methods)));
      for (PathMapping p : paths) {
        sb.append(' ').append(p.written());
      }
      return sb.append(" (").append(origin).append(')').toString();
    }
  }

  /**
   * What one handler may run under. {@link #accepts} is the check made at dispatch: an identity
   * comparison against a few rules, no matching.
   */
  public static final class Entry {
    private final Policy policy;
    private final @Nullable Handler handler;
    private final Rule[][] accepted;
    private final boolean anyFileRule;
    private final boolean anyRule;

    private Entry(
        Policy policy,
        @Nullable Handler handler,
        Rule[][] accepted,
        boolean anyFileRule,
        boolean anyRule) {
      this.policy = policy;
      this.handler = handler;
      this.accepted = accepted;
      this.anyFileRule = anyFileRule;
      this.anyRule = anyRule;
    }

    /**
     * The handler, or {@code null} for the entries that stand for no handler of the application.
     */
    public @Nullable Handler handler() {
      return handler;
    }

    /** Whether a request for {@code method} decided by {@code rule} may run this handler. */
    @SuppressWarnings("ReferenceEquality") // the policy's own rule instances, found by the matcher
    public boolean accepts(Rule rule, String method) {
      int m = RouteTrie.methodIndex(method);
      if (m < 0 || rule.access() == Access.DENY || !rule.covers(method)) {
        return false;
      }
      if (anyRule) {
        return true;
      }
      if (anyFileRule) {
        return !policy.declaredOnly(rule);
      }
      for (Rule r : accepted[m]) {
        if (r == rule) {
          return true;
        }
      }
      return false;
    }

    Policy policy() {
      return policy;
    }

    @Override
    public String toString() {
      if (handler != null) {
        return "Entry{" + handler.describe() + "}";
      }
      return anyRule
          ? "Entry{framework answer}"
          : anyFileRule ? "Entry{path handler}" : "Entry{unknown}";
    }
  }

  private final Policy policy;
  private final List<Handler> handlers;
  private final List<Entry> entries;
  private final List<String> uncovered;
  private final List<Problem> problems;
  private final Entry pathHandler;
  private final Entry frameworkAnswer;
  private final Entry unknown;

  private RouteCoverage(
      Policy policy,
      List<Handler> handlers,
      List<Entry> entries,
      List<String> uncovered,
      List<Problem> problems) {
    this.policy = policy;
    this.handlers = handlers;
    this.entries = entries;
    this.uncovered = uncovered;
    this.problems = problems;
    Rule[][] none = new Rule[Rule.METHODS.size()][];
    java.util.Arrays.fill(none, NONE);
    this.pathHandler = new Entry(policy, null, none, true, false);
    this.frameworkAnswer = new Entry(policy, null, none, false, true);
    this.unknown = new Entry(policy, null, none, false, false);
  }

  /**
   * The rules handler annotations declare, one per path mapping.
   *
   * @param problems receives a problem for every handler whose declaration cannot become a rule (a
   *     path that cannot be written as a policy pattern, an invalid scope, {@code HEAD} without
   *     {@code GET})
   */
  public static List<Policy.Declaration> declarations(
      List<Handler> handlers, List<Problem> problems) {
    List<Policy.Declaration> declarations = new ArrayList<>();
    for (Handler h : handlers) {
      RouteDeclarations.Declared declared = h.declared().orElse(null);
      if (declared == null) {
        continue;
      }
      for (PathMapping p : h.paths()) {
        String pattern = p.pattern();
        if (pattern == null) {
          problems.add(
              new Problem(
                  h.origin(),
                  "its path " + p.written() + " cannot be written as a policy pattern",
                  "map it with literal segments, {name}, * and a final ** only"));
          continue;
        }
        try {
          declarations.add(
              new Policy.Declaration(declared.toRule(pattern, h.methods()), h.origin()));
        } catch (IllegalArgumentException e) {
          problems.add(
              new Problem(
                  h.origin(),
                  String.valueOf(e.getMessage()),
                  "change the handler's mapping or its planeguard annotation so that they form a"
                      + " valid rule"));
        }
      }
    }
    return declarations;
  }

  /**
   * The effective policy: the file with the handlers' declarations merged in ({@link
   * Policy#merge}), or the declarations alone if there is no file.
   *
   * @param file the policy file, or {@code null}
   * @throws ConfigurationException listing every problem: declarations that cannot become rules,
   *     disagreements with the file, conflicting declarations, no rules at all
   */
  public static Policy policy(@Nullable Policy file, List<Handler> handlers) {
    List<Problem> problems = new ArrayList<>();
    List<Policy.Declaration> declarations = declarations(handlers, problems);
    Policy policy = null;
    try {
      if (file == null) {
        policy = Policy.ofDeclarations(declarations);
      } else {
        policy = declarations.isEmpty() ? file : file.merge(declarations);
      }
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty() || policy == null) {
      throw new ConfigurationException("Invalid policy", problems);
    }
    return policy;
  }

  /**
   * Works out what each handler may run under.
   *
   * @param policy the policy the {@link Enforcer} applies ({@link Enforcer#policy()}): entries only
   *     confirm decisions of this very policy
   */
  public static RouteCoverage of(Policy policy, List<Handler> handlers) {
    requireNonNull(policy, "policy");
    List<Handler> all = List.copyOf(handlers);
    List<Entry> entries = new ArrayList<>(all.size());
    List<String> uncovered = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (Handler h : all) {
      entries.add(analyse(policy, h, all, uncovered, problems));
    }
    return new RouteCoverage(
        policy, all, List.copyOf(entries), List.copyOf(uncovered), List.copyOf(problems));
  }

  /** The policy this coverage is of. */
  public Policy policy() {
    return policy;
  }

  /** The handlers, in the order given. */
  public List<Handler> handlers() {
    return handlers;
  }

  /** The entry of the handler at {@code index} in {@link #handlers()}. */
  public Entry entry(int index) {
    return entries.get(index);
  }

  /**
   * The entry of a handler that serves the request path as it is given (static resources, view
   * controllers, error pages): it declares no plane, so any rule of the policy file covers it,
   * never a rule only another handler's annotation declares.
   */
  public Entry pathHandler() {
    return pathHandler;
  }

  /**
   * The entry of an answer the framework gives by itself, running no application code (an automatic
   * {@code OPTIONS} answer listing the allowed methods, a CORS pre-flight): any rule that let the
   * request through covers it.
   */
  public Entry frameworkAnswer() {
    return frameworkAnswer;
  }

  /** The entry of a handler not known at startup: nothing covers it. */
  public Entry unknown() {
    return unknown;
  }

  /**
   * The handlers some of whose requests no rule covers, described as {@link Handler#describe()}.
   */
  public List<String> uncovered() {
    return uncovered;
  }

  /**
   * Everything wrong with the handlers: paths no rule covers (they answer 404), and handlers
   * reachable under rules of another outcome than their own (those requests answer 404 {@code
   * DISPATCH_MISMATCH}).
   */
  public List<Problem> problems() {
    return problems;
  }

  /**
   * The problems that stop startup in {@code mode}: all of them in preprod and prod; in local and
   * test none, and each is logged as a warning instead.
   */
  public List<Problem> startupProblems(Mode mode) {
    if (mode.isProductionLike()) {
      return problems;
    }
    if (!problems.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      problems.forEach(p -> sb.append("\n  ").append(p));
      LOG.warn(
          "planeguard: {} handler problem(s); the requests concerned answer 404, and these stop"
              + " startup in preprod and prod:{}",
          problems.size(),
          sb);
    }
    return List.of();
  }

  private static Entry analyse(
      Policy policy, Handler h, List<Handler> all, List<String> uncovered, List<Problem> problems) {
    int methodCount = Rule.METHODS.size();
    boolean[] served = served(h);
    RouteDeclarations.Declared declared = h.declared().orElse(null);
    Set<Rule> own = new LinkedHashSet<>();
    if (declared != null) {
      for (PathMapping p : h.paths()) {
        if (p.pattern() != null) {
          try {
            own.add(declared.toRule(p.pattern(), h.methods()));
          } catch (IllegalArgumentException e) {
            // reported by declarations()
          }
        }
      }
    }

    List<Set<Rule>> deciders = new ArrayList<>(methodCount);
    List<Set<Rule>> generic = new ArrayList<>(methodCount);
    String[] unmatched = new String[methodCount];
    boolean inexpressible = false;
    boolean truncated = false;
    for (int m = 0; m < methodCount; m++) {
      deciders.add(new LinkedHashSet<>());
      generic.add(new LinkedHashSet<>());
    }
    for (PathMapping p : h.paths()) {
      String pattern = p.pattern();
      if (pattern == null) {
        inexpressible = true;
        continue;
      }
      List<String> paths = new ArrayList<>();
      List<String> genericPaths = new ArrayList<>();
      truncated |= !policy.samples(pattern, paths, genericPaths);
      for (int m = 0; m < methodCount; m++) {
        if (!served[m]) {
          continue;
        }
        String method = Rule.METHODS.get(m);
        for (String path : paths) {
          Rule r = policy.match(method, path);
          if (r == null) {
            if (unmatched[m] == null) {
              unmatched[m] = path;
            }
          } else {
            deciders.get(m).add(r);
          }
        }
        for (String path : genericPaths) {
          Rule r = policy.match(method, path);
          if (r != null) {
            generic.get(m).add(r);
          }
        }
      }
    }

    Rule[][] accepted = new Rule[methodCount][];
    Set<String> notes = new LinkedHashSet<>();
    Map<Rule, String> foreign = new LinkedHashMap<>();
    boolean noPlane = false;
    for (int m = 0; m < methodCount; m++) {
      accepted[m] = NONE;
      if (!served[m]) {
        continue;
      }
      Outcome expected =
          declared != null ? Outcome.of(declared) : fileOutcome(policy, generic.get(m));
      if (expected == null) {
        noPlane |= !deciders.get(m).isEmpty() || unmatched[m] == null;
      }
      List<Rule> ok = new ArrayList<>();
      for (Rule r : deciders.get(m)) {
        if (r.access() == Access.DENY) {
          continue;
        }
        boolean covers =
            expected != null
                && expected.admits(r)
                && (declared != null || !policy.declaredOnly(r) || own.contains(r));
        if (covers) {
          ok.add(r);
        } else if (expected != null && !claimedByAnother(r, h, m, all)) {
          foreign.putIfAbsent(r, Rule.METHODS.get(m));
        }
      }
      accepted[m] = ok.toArray(NONE);
    }

    String described = h.describe();
    boolean reported = false;
    if (inexpressible && declared == null) {
      notes.add("a path cannot be written as a policy pattern");
    }
    Map<String, List<String>> unmatchedByPath = new LinkedHashMap<>();
    for (int m = 0; m < methodCount; m++) {
      if (unmatched[m] != null) {
        unmatchedByPath
            .computeIfAbsent(unmatched[m], k -> new ArrayList<>())
            .add(Rule.METHODS.get(m));
      }
    }
    unmatchedByPath.forEach(
        (path, methods) -> notes.add("no rule matches " + String.join(",", methods) + " " + path));
    if (noPlane) {
      notes.add(
          declared == null
              ? "no policy file rule gives it a plane (rules declared on other handlers cover only"
                  + " those handlers), or file rules of different planes share its paths"
              : "its declaration covers none of its paths");
    }
    if (truncated) {
      notes.add("its paths overlap too many rules to be checked one by one");
    }
    if (!notes.isEmpty()) {
      uncovered.add(described);
      problems.add(
          new Problem(
              "handler " + described,
              "is served by the application but not covered: " + String.join("; ", notes),
              "add a policy rule for its paths or annotate it (@HumanPlane, @MachinePlane,"
                  + " @PublicRoute, @DebugRoute), or remove the handler"));
      reported = true;
    }
    if (!foreign.isEmpty()) {
      List<String> rules = new ArrayList<>();
      foreign.forEach(
          (r, method) ->
              rules.add(
                  method
                      + " by "
                      + r.toPolicyLine()
                      + " ("
                      + policy.origin(r)
                      + widenedBy(r, all)
                      + ")"));
      problems.add(
          new Problem(
              "handler " + described,
              "is reachable under rules of another plane, access or scopes than its own"
                  + (reported ? "" : " (" + expectedText(declared) + ")")
                  + ": some of its paths are decided "
                  + String.join(", ", rules),
              "give every path the handler serves one plane: narrow or split its mapping, map the"
                  + " other paths to a handler of their own, or make the rules agree"));
    }
    return new Entry(policy, h, accepted, false, false);
  }

  private static String expectedText(RouteDeclarations.@Nullable Declared declared) {
    return declared != null ? "it declares " + declared.access().id() : "its own rule";
  }

  /**
   * {@code ", whose mapping /a/{x:\d+} reads as /a/*"} if a widened mapping gave the rule its
   * pattern.
   */
  private static String widenedBy(Rule rule, List<Handler> all) {
    for (Handler other : all) {
      for (PathMapping p : other.paths()) {
        if (p.widened() && rule.pattern().equals(p.pattern())) {
          return ", where "
              + other.origin()
              + " maps "
              + p.written()
              + ", which planeguard reads as"
              + " the wider "
              + p.pattern();
        }
      }
    }
    return "";
  }

  /**
   * Whether another handler takes every request {@code rule} decides for this method, as far as can
   * be known without the framework: its own mapping is exactly the rule's pattern (not widened), it
   * serves the method and it has no further conditions.
   */
  @SuppressWarnings("ReferenceEquality") // another handler of the list, not an equal one
  private static boolean claimedByAnother(Rule rule, Handler h, int m, List<Handler> all) {
    for (Handler other : all) {
      if (other == h || other.conditional() || !served(other)[m]) {
        continue;
      }
      for (PathMapping p : other.paths()) {
        if (!p.widened() && rule.pattern().equals(p.pattern())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The methods a handler serves, by index of {@link Rule#METHODS}; GET brings HEAD. */
  private static boolean[] served(Handler h) {
    boolean[] served = new boolean[Rule.METHODS.size()];
    for (int m = 0; m < served.length; m++) {
      served[m] = h.methods().isEmpty() || h.methods().contains(Rule.METHODS.get(m));
    }
    served[RouteTrie.methodIndex("HEAD")] |= served[RouteTrie.methodIndex("GET")];
    return served;
  }

  /**
   * The outcome policy file rules give the paths a handler's own pattern describes, or {@code null}
   * if none or several.
   */
  private static @Nullable Outcome fileOutcome(Policy policy, Set<Rule> generic) {
    Outcome found = null;
    for (Rule r : generic) {
      if (policy.declaredOnly(r)) {
        continue;
      }
      Outcome o = Outcome.of(r);
      if (found == null) {
        found = o;
      } else if (!found.equals(o)) {
        return null;
      }
    }
    return found;
  }

  /** What a handler requires: access, plane and scopes. */
  private record Outcome(Access access, @Nullable Plane plane, Set<String> scopes) {
    static Outcome of(RouteDeclarations.Declared d) {
      return new Outcome(
          d.access(),
          d.access() == Access.PUBLIC || d.access() == Access.DENY ? null : d.plane(),
          d.scopes());
    }

    static Outcome of(Rule r) {
      return new Outcome(r.access(), r.plane(), r.scopes());
    }

    /**
     * Whether a request decided by {@code r} meets this outcome: same access and plane, at least
     * its scopes. A public handler needs nothing, so any rule that lets a request through meets it.
     */
    boolean admits(Rule r) {
      if (access == Access.DENY || r.access() == Access.DENY) {
        return false;
      }
      if (access == Access.PUBLIC) {
        return true;
      }
      return r.access() == access && r.plane() == plane && r.scopes().containsAll(scopes);
    }
  }

  @Override
  public String toString() {
    return "RouteCoverage{" + handlers.size() + " handlers, " + problems.size() + " problems}";
  }
}
