package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.RouteTrie;
import dev.planeguard.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which auth plane every route belongs to. Immutable; built from a policy file or in code, and the
 * two give equal objects.
 *
 * <h2>File format</h2>
 *
 * <p>One rule a line; {@code #} starts a comment:
 * <!-- not java -->
 *
 * <pre>
 * # access   pattern                 options
 * human      /api/v1/accounts/**
 * machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
 * machine    /api/v1/runs/**         methods=GET,HEAD
 * public     /healthz
 * debug      /__debug/**             plane=human
 * </pre>
 *
 * <p>Access is {@code human}, {@code machine}, {@code public} or {@code debug} ({@code debug}
 * requires {@code plane=human} or {@code plane=machine}). Options are {@code scopes=a,b}, {@code
 * methods=GET,POST}, {@code plane=} and {@code carve-out=yes} (public rules only). Pattern syntax
 * is described at {@link Rule}.
 *
 * <h2>Matching</h2>
 *
 * <p>A rule matches a request when its pattern matches the decoded path and it covers the method.
 * The most specific matching rule wins: at the first segment where two patterns differ, a literal
 * beats {@code {name}}/{@code *}, which beats {@code **}; a pattern that ends exactly at the path
 * beats one whose {@code **} matches nothing. Anything no rule matches is denied. Matching cost
 * does not grow with the number of rules.
 *
 * <h2>Errors</h2>
 *
 * <p>Loading fails with a {@link ConfigurationException} listing every problem with its line: an
 * unknown access, option or method, a bad pattern, {@code **} not last, a debug rule without a
 * plane, any mention of the database plane, an empty policy, two rules that match the same requests
 * at equal specificity (same pattern shape, overlapping methods), and a {@code public} rule more
 * specific than a {@code human} or {@code machine} rule that also matches its paths (a hole in a
 * protected subtree) unless it carries {@code carve-out=yes} ({@link Rule#withCarveOut()} in code).
 * A {@code debug} or {@code deny} rule under a protected rule is no hole: it still needs a
 * credential, or admits nobody.
 */
public final class Policy {

  private static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
  static final String FROM = "from ";
  private static final Comparator<Rule> CANONICAL =
      Comparator.comparing(Rule::pattern)
          .thenComparing(r -> String.join(",", r.methods()))
          .thenComparing(r -> r.access().id());

  private final List<Rule> rules;
  private final Map<Rule, String> origins;
  private final RouteTrie trie;
  // Rules that only handler declarations contribute (no file line says the same): each describes
  // the handler that declares it and covers no other handler (see RouteCoverage).
  private final Set<Rule> declaredOnly;
  // Each carve-out, with the protected rule it takes requests from.
  private final Map<Rule, Rule> carvedFrom;

  private Policy(
      List<Rule> rules,
      Map<Rule, String> origins,
      RouteTrie trie,
      Set<Rule> declaredOnly,
      Map<Rule, Rule> carvedFrom) {
    this.rules = rules;
    this.origins = origins;
    this.trie = trie;
    this.declaredOnly = declaredOnly;
    this.carvedFrom = carvedFrom;
  }

  /**
   * Reads a policy file (UTF-8).
   *
   * @throws ConfigurationException listing every problem, or if the file cannot be read
   */
  public static Policy load(Path file) {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw single(name, "the file is larger than 4 MiB", "split or trim the policy");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw single(
          name,
          "cannot be read (" + e.getClass().getSimpleName() + ")",
          "check the path and its permissions");
    }
    String text = Text.utf8(bytes);
    if (text == null) {
      throw single(name, "is not valid UTF-8", "save the policy file as UTF-8");
    }
    return parse(text, name);
  }

  /**
   * Parses policy text.
   *
   * @param sourceName names the source in error messages and {@link #origin}, e.g. a file name
   * @throws ConfigurationException listing every problem with its line number
   */
  public static Policy parse(String text, String sourceName) {
    requireNonNull(text, "text");
    requireNonNull(sourceName, "sourceName");
    return PolicyParser.parse(text, sourceName);
  }

  /** A builder for policies in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** All rules, in canonical order: by pattern, then methods. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * Where {@code rule} was declared: {@code source:line} for a policy file, or the origin given to
   * the builder ({@code "code"} by default).
   *
   * @throws IllegalArgumentException if the rule is not part of this policy
   */
  public String origin(Rule rule) {
    String origin = origins.get(rule);
    if (origin == null) {
      throw new IllegalArgumentException("not a rule of this policy: " + rule);
    }
    return origin;
  }

  /**
   * The most specific rule for a request, or {@code null} if none matches (the request is then
   * denied as unmapped).
   *
   * @param method the request method, upper case
   * @param path the decoded request path, already through the request firewall
   */
  public @Nullable Rule match(String method, String path) {
    return trie.match(path, method);
  }

  /**
   * For a carve-out ({@code carve-out=yes}), the human or machine rule whose requests it takes: the
   * rule that would decide them without it. {@code null} for any other rule.
   */
  public @Nullable Rule carvedFrom(Rule rule) {
    return carvedFrom.get(rule);
  }

  /** Whether any rule requires the credential of {@code plane}. */
  public boolean uses(Plane plane) {
    for (Rule rule : rules) {
      if (rule.plane() == plane) {
        return true;
      }
    }
    return false;
  }

  /**
   * The policy in file format, one rule a line in canonical order, columns aligned. Parsing the
   * result gives an equal policy.
   */
  public String render() {
    int accessWidth = 0;
    int patternWidth = 0;
    for (Rule rule : rules) {
      accessWidth = Math.max(accessWidth, rule.access().id().length());
      patternWidth = Math.max(patternWidth, rule.pattern().length());
    }
    StringBuilder sb = new StringBuilder();
    for (Rule rule : rules) {
      int start = sb.length();
      pad(sb.append(rule.access().id()), start + accessWidth + 2);
      int patternStart = sb.length();
      sb.append(rule.pattern());
      StringBuilder options = new StringBuilder();
      rule.appendOptions(options);
      if (options.length() > 0) {
        pad(sb, patternStart + patternWidth + 1).append(options);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * The policy in file format like {@link #render()}, each line followed by a comment {@code # from
   * <origin>} naming where the rule was declared (a file line, a handler method). Parsing the
   * result gives an equal policy whose origins name both the exported line and the original
   * declaration.
   */
  public String renderWithOrigins() {
    String[] lines = render().split("\n", -1);
    int width = 0;
    for (int i = 0; i < rules.size(); i++) {
      width = Math.max(width, lines[i].length());
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rules.size(); i++) {
      sb.append(lines[i]);
      pad(sb, sb.length() + width - lines[i].length() + 2);
      sb.append("# ").append(FROM).append(exportedOrigin(origins.get(rules.get(i)))).append('\n');
    }
    return sb.toString();
  }

  /** An origin as an export comment: one line, and an exported origin not nested again. */
  private static String exportedOrigin(@Nullable String origin) {
    String o = origin == null ? "code" : origin;
    int from = o.indexOf(" (from ");
    if (from >= 0 && o.endsWith(")")) {
      o = o.substring(from + 7, o.length() - 1);
    }
    return o.replace('\n', ' ').replace('\r', ' ');
  }

  /**
   * A rule declared next to a handler (an annotation), with where it was declared.
   *
   * @param rule the rule, with the handler's own pattern and methods
   * @param origin the handler, e.g. {@code com.example.OrdersController#create}
   */
  public record Declaration(Rule rule, String origin) {
    /** Checks the parts are present. */
    public Declaration {
      requireNonNull(rule, "rule");
      requireNonNull(origin, "origin");
    }
  }

  /**
   * This policy (the file) with rules declared next to handlers merged in. Both sources must agree:
   *
   * <ul>
   *   <li>a declaration with the same pattern as a file rule must equal it (access, plane, methods,
   *       scopes); equal ones are kept once, with both origins;
   *   <li>for every method it covers, a declaration must give the same access, plane and scopes as
   *       the file rule that would otherwise decide the handler's route — except a {@code deny}
   *       declaration, which may close a route inside a wider file rule (stricter, never looser);
   *   <li>declarations must not match the same requests at equal specificity as each other with
   *       different outcomes.
   * </ul>
   *
   * <p>So {@code @PermitAll} on a handler under {@code human /api/**} is an error, not a silent
   * downgrade, while {@code @DenyAll} there closes the handler's route.
   *
   * @throws ConfigurationException listing every disagreement with the handler and the file line
   */
  public Policy merge(List<Declaration> declarations) {
    List<Problem> problems = new ArrayList<>();
    Builder merged = new Builder();
    rules.forEach(r -> merged.rule(r, origin(r)));
    Map<Rule, String> extraOrigins = new HashMap<>();
    for (Declaration d : declarations) {
      Rule a = d.rule();
      String same = sameRule(a);
      if (same != null) {
        extraOrigins.merge(a, d.origin(), (x, y) -> x + ", " + y);
        continue;
      }
      Rule samePattern =
          rules.stream().filter(r -> r.pattern().equals(a.pattern())).findFirst().orElse(null);
      if (samePattern != null && a.access() != Access.DENY && overlaps(samePattern, a)) {
        problems.add(
            disagreement(d, samePattern, "maps " + a.pattern() + " to " + a.toPolicyLine()));
        continue;
      }
      boolean agrees = true;
      // A deny declaration is stricter than any file rule; a public carve-out says it means to be
      // looser, and the built policy checks that it really opens a hole.
      if (a.access() != Access.DENY && !a.carveOut()) {
        // The file rules that decide the paths only the declaration's own shape describes: the
        // rules that would otherwise decide the handler's route.
        List<String> generic = new ArrayList<>();
        samples(a.pattern(), new ArrayList<>(), generic);
        for (String path : generic) {
          for (String method : Rule.METHODS) {
            if (!a.covers(method)) {
              continue;
            }
            Rule f = match(method, path);
            if (f != null && !sameOutcome(f, a)) {
              problems.add(
                  disagreement(
                      d, f, "maps " + method + " " + a.pattern() + " to " + a.toPolicyLine()));
              agrees = false;
              break;
            }
          }
          if (!agrees) {
            break;
          }
        }
      }
      if (agrees) {
        merged.rule(a, d.origin());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException("Policy file and handler annotations disagree", problems);
    }
    Policy policy = merged.build("merged policy");
    Set<Rule> declared = new HashSet<>(declaredOnly);
    for (Rule r : policy.rules) {
      if (!rules.contains(r)) {
        declared.add(r);
      }
    }
    Map<Rule, String> origins = new HashMap<>(policy.origins);
    extraOrigins.forEach((r, o) -> origins.merge(r, o, (x, y) -> x + ", " + y));
    return new Policy(
        policy.rules, Map.copyOf(origins), policy.trie, Set.copyOf(declared), policy.carvedFrom);
  }

  /**
   * A policy of handler declarations alone, for an application without a policy file: every rule
   * describes only the handler that declares it.
   *
   * @throws ConfigurationException if the declarations conflict, or there are none
   */
  static Policy ofDeclarations(List<Declaration> declarations) {
    Builder b = new Builder();
    declarations.forEach(d -> b.rule(d.rule(), d.origin()));
    Policy policy = b.build("handler declarations");
    return new Policy(
        policy.rules, policy.origins, policy.trie, Set.copyOf(policy.rules), policy.carvedFrom);
  }

  /** Whether only handler declarations contribute {@code rule} (no policy file line says it). */
  boolean declaredOnly(Rule rule) {
    return declaredOnly.contains(rule);
  }

  /**
   * Sample request paths for every path {@code pattern} matches, as the matcher tells them apart
   * (see {@link RouteTrie#samples}).
   *
   * @return false if the samples were cut off
   */
  boolean samples(String pattern, List<String> paths, List<String> generic) {
    return trie.samples(pattern, paths, generic);
  }

  private @Nullable String sameRule(Rule rule) {
    return rules.contains(rule) ? origins.get(rule) : null;
  }

  private static boolean overlaps(Rule a, Rule b) {
    if (a.methods().isEmpty() || b.methods().isEmpty()) {
      return true;
    }
    return !Collections.disjoint(a.methods(), b.methods());
  }

  private static boolean sameOutcome(Rule a, Rule b) {
    return a.access() == b.access() && a.plane() == b.plane() && a.scopes().equals(b.scopes());
  }

  private Problem disagreement(Declaration d, Rule file, String what) {
    return new Problem(
        d.origin(),
        what + ", but " + origin(file) + " says " + file.toPolicyLine(),
        "make the annotation and the policy file agree (or remove one of them)");
  }

  private static StringBuilder pad(StringBuilder sb, int to) {
    while (sb.length() < to) {
      sb.append(' ');
    }
    return sb;
  }

  /** Policies are equal when they hold equal rules; origins are not compared. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Policy p && rules.equals(p.rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return "Policy{" + rules.size() + " rules}";
  }

  private static ConfigurationException single(String subject, String message, String fix) {
    return new ConfigurationException(
        "Invalid policy", List.of(new Problem(subject, message, fix)));
  }

  /** Builds a {@link Policy} from rules; {@link #build()} checks them together. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final Map<Rule, String> origins = new HashMap<>();
    final List<Problem> problems = new ArrayList<>();

    private Builder() {}

    /** Adds a rule declared in code. */
    public Builder rule(Rule rule) {
      return rule(rule, "code");
    }

    /**
     * Adds a rule with its origin, shown in error messages and route tables: a file line, a handler
     * method.
     */
    public Builder rule(Rule rule, String origin) {
      requireNonNull(rule, "rule");
      requireNonNull(origin, "origin");
      if (origins.containsKey(rule)) {
        problems.add(
            new Problem(
                origin,
                "duplicates " + origins.get(rule) + " (" + rule.toPolicyLine() + ")",
                "remove one of them"));
        return this;
      }
      rules.add(rule);
      origins.put(rule, origin);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws ConfigurationException listing every problem: rules that match the same requests at
     *     equal specificity, or no rules at all
     */
    public Policy build() {
      return build("policy");
    }

    Policy build(String sourceName) {
      List<Problem> all = new ArrayList<>(problems);
      RouteTrie trie = new RouteTrie();
      for (Rule rule : rules) {
        trie.add(
            rule,
            (existing, added) -> {
              boolean sameOutcome =
                  existing.access() == added.access()
                      && existing.plane() == added.plane()
                      && existing.scopes().equals(added.scopes());
              all.add(
                  new Problem(
                      requireNonNull(origins.get(added)),
                      (sameOutcome ? "overlaps " : "conflicts with ")
                          + origins.get(existing)
                          + ": both match the same requests at equal specificity ("
                          + existing.toPolicyLine()
                          + " / "
                          + added.toPolicyLine()
                          + ")",
                      sameOutcome
                          ? "merge the two rules into one"
                          : "give them disjoint methods= or remove one"));
            });
      }
      Map<Rule, Rule> carved = checkCarveOuts(trie, all);
      if (rules.isEmpty() && problems.isEmpty()) {
        all.add(
            new Problem(
                sourceName,
                "the policy has no rules",
                "add at least one rule; anything no rule matches is denied"));
      }
      if (!all.isEmpty()) {
        throw new ConfigurationException("Invalid policy", all);
      }
      List<Rule> sorted = new ArrayList<>(rules);
      sorted.sort(CANONICAL);
      return new Policy(List.copyOf(sorted), Map.copyOf(origins), trie, Set.of(), carved);
    }

    /**
     * A public rule that decides requests a human or machine rule would otherwise decide is a hole
     * in a protected subtree: refused unless the rule says {@code carve-out=yes}, and a rule that
     * says so but opens no hole is refused too, so that the marker never waits for a hole to come.
     */
    private Map<Rule, Rule> checkCarveOuts(RouteTrie trie, List<Problem> all) {
      Map<Rule, Rule> carved = new HashMap<>();
      RouteTrie guarded = new RouteTrie();
      for (Rule rule : rules) {
        if (rule.access() == Access.HUMAN || rule.access() == Access.MACHINE) {
          guarded.add(rule, (existing, added) -> {});
        }
      }
      for (Rule rule : rules) {
        if (rule.access() != Access.PUBLIC) {
          continue;
        }
        Rule under = protectedUnder(rule, trie, guarded);
        String origin = requireNonNull(origins.get(rule));
        if (under != null && rule.carveOut()) {
          carved.put(rule, under);
        }
        if (under != null && !rule.carveOut()) {
          all.add(
              new Problem(
                  origin,
                  rule.toPolicyLine()
                      + " opens a hole in "
                      + origins.get(under)
                      + " ("
                      + under.toPolicyLine()
                      + "): requests it decides would otherwise need a "
                      + under.access().id()
                      + " credential",
                  "if the hole is intended, mark the rule as a carve-out (carve-out=yes in a policy"
                      + " file, Rule.withCarveOut() in code, @PublicRoute(carveOut = true) on a"
                      + " handler); otherwise move the route out from under "
                      + under.pattern()));
        } else if (under == null && rule.carveOut()) {
          all.add(
              new Problem(
                  origin,
                  rule.toPolicyLine()
                      + " is marked as a carve-out but no human or machine rule"
                      + " covers its paths",
                  "remove carve-out=yes (or carveOut = true): a stale marker would let a hole"
                      + " opened later pass unnoticed"));
        }
      }
      return Map.copyOf(carved);
    }

    /** The protected rule that {@code rule} takes requests from, or null if there is none. */
    private static @Nullable Rule protectedUnder(Rule rule, RouteTrie trie, RouteTrie guarded) {
      List<String> paths = new ArrayList<>();
      trie.samples(rule.pattern(), paths, new ArrayList<>());
      for (String path : paths) {
        for (String method : Rule.METHODS) {
          if (!rule.covers(method) || !rule.equals(trie.match(path, method))) {
            continue;
          }
          Rule under = guarded.match(path, method);
          if (under != null) {
            return under;
          }
        }
      }
      return null;
    }
  }
}
