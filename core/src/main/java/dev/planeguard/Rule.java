package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Text;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One line of a policy: which access a route pattern has, for which methods, with which scopes.
 *
 * <p>Patterns are matched case-sensitively against the decoded request path. A segment is a
 * literal, {@code {name}} or {@code *} (exactly one segment), or {@code **} (zero or more trailing
 * segments, last position only). {@code /} alone is the root. A trailing slash in the request is
 * ignored, so patterns never end with one.
 *
 * <p>{@code HEAD} is decided exactly as {@code GET} on the same path, because servlets and Spring
 * MVC answer {@code HEAD} with the {@code GET} handler: a rule whose methods include {@code GET}
 * covers {@code HEAD} too (its {@link #methods()} name both), and a rule naming {@code HEAD}
 * without {@code GET} is invalid.
 * <!-- example: Rule.factories -->
 *
 * <pre>{@code
 * Policy policy = Policy.builder()
 *     .rule(Rule.human("/api/v1/accounts/**"))
 *     .rule(Rule.machine("/api/v1/runs/**").withScopes("runs:write").withMethods("POST", "PUT"))
 *     .rule(Rule.publicRoute("/healthz"))
 *     .rule(Rule.publicRoute("/api/v1/accounts/signup").withCarveOut())
 *     .rule(Rule.debug("/__debug/**", Plane.HUMAN))
 *     .rule(Rule.deny("/api/v1/accounts/export"))
 *     .build();
 * }</pre>
 *
 * @param access who may call the route
 * @param pattern the route pattern
 * @param methods the HTTP methods the rule covers, upper case, sorted; empty means all methods;
 *     {@code GET} brings {@code HEAD} with it
 * @param scopes scopes the caller must hold, sorted; empty means none
 * @param plane the plane whose credential the route requires: {@link Plane#HUMAN} for human rules,
 *     {@link Plane#MACHINE} for machine rules, the declared plane for debug rules, {@code null} for
 *     public rules
 * @param purposes the purposes a request must name in {@code X-AOS-Purpose}, one of them, sorted;
 *     empty means no purpose is asked for (only human, machine and debug rules ask)
 * @param carveOut for a public rule, that it is meant to open a hole in a human or machine rule
 *     that also matches its paths ({@code carve-out=yes}); a policy refuses such a hole without it
 *     (see {@link Policy})
 */
public record Rule(
    Access access,
    String pattern,
    Set<String> methods,
    Set<String> scopes,
    @Nullable Plane plane,
    Set<String> purposes,
    boolean carveOut) {

  /** The methods a rule may name; everything else fails the request firewall. */
  public static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@-]+");
  private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]{0,63}}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._/-]{1,128}");
  private static final Pattern PURPOSE = Pattern.compile("[A-Za-z0-9:._/-]{1,64}");
  private static final int MAX_PATTERN_LENGTH = 1024;

  /**
   * Validates and normalises the rule.
   *
   * @throws IllegalArgumentException with a one-line reason if the rule is invalid
   */
  public Rule {
    requireNonNull(access, "access");
    requireNonNull(pattern, "pattern");
    String problem = patternProblem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    for (String method : methods) {
      if (!METHODS.contains(method)) {
        throw new IllegalArgumentException(
            "unknown method "
                + Text.quote(method, 16)
                + "; use one of "
                + String.join(",", METHODS));
      }
    }
    if (methods.contains("HEAD") && !methods.contains("GET")) {
      throw new IllegalArgumentException(
          "methods= names HEAD without GET, but HEAD is decided exactly as GET (a GET handler answers"
              + " HEAD); write methods=GET,HEAD or leave HEAD out");
    }
    methods = withHeadForGet(sorted(methods));
    scopes = sorted(scopes);
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException(
            "invalid scope " + Text.quote(scope, 32) + "; scopes are 1-128 of [A-Za-z0-9:._/-]");
      }
    }
    purposes = sorted(purposes);
    for (String purpose : purposes) {
      if (!PURPOSE.matcher(purpose).matches()) {
        throw new IllegalArgumentException(
            "invalid purpose "
                + Text.quote(purpose, 32)
                + "; purposes are 1-64 of [A-Za-z0-9:._/-]");
      }
    }
    if (!purposes.isEmpty() && (access == Access.PUBLIC || access == Access.DENY)) {
      throw new IllegalArgumentException(
          access.id() + " rules examine no credential, so no purposes=");
    }
    switch (access) {
      case HUMAN, MACHINE -> {
        Plane implied = access == Access.HUMAN ? Plane.HUMAN : Plane.MACHINE;
        if (plane != null && plane != implied) {
          throw new IllegalArgumentException("plane= is only for debug rules");
        }
        plane = implied;
      }
      case PUBLIC -> {
        if (plane != null) {
          throw new IllegalArgumentException("plane= is only for debug rules");
        }
        if (!scopes.isEmpty()) {
          throw new IllegalArgumentException("public rules examine no credential, so no scopes=");
        }
      }
      case DEBUG -> {
        if (plane == null) {
          throw new IllegalArgumentException("debug rules need plane=human or plane=machine");
        }
      }
      case DENY -> {
        if (plane != null) {
          throw new IllegalArgumentException("plane= is only for debug rules");
        }
        if (!scopes.isEmpty()) {
          throw new IllegalArgumentException("deny rules admit nobody, so no scopes=");
        }
      }
    }
    if (plane == Plane.DATABASE) {
      throw new IllegalArgumentException(
          "no HTTP route can belong to the database plane; migrations are gated by the migration"
              + " gate");
    }
    if (carveOut && access != Access.PUBLIC) {
      throw new IllegalArgumentException(
          "carve-out=yes is only for public rules: only they can open a hole in a protected rule");
    }
  }

  /**
   * A rule that asks for no purpose and is no carve-out.
   *
   * @throws IllegalArgumentException with a one-line reason if the rule is invalid
   */
  public Rule(
      Access access,
      String pattern,
      Set<String> methods,
      Set<String> scopes,
      @Nullable Plane plane) {
    this(access, pattern, methods, scopes, plane, Set.of(), false);
  }

  /**
   * A rule that is no carve-out.
   *
   * @throws IllegalArgumentException with a one-line reason if the rule is invalid
   */
  public Rule(
      Access access,
      String pattern,
      Set<String> methods,
      Set<String> scopes,
      @Nullable Plane plane,
      Set<String> purposes) {
    this(access, pattern, methods, scopes, plane, purposes, false);
  }

  /**
   * A rule that asks for no purpose.
   *
   * @throws IllegalArgumentException with a one-line reason if the rule is invalid
   */
  public Rule(
      Access access,
      String pattern,
      Set<String> methods,
      Set<String> scopes,
      @Nullable Plane plane,
      boolean carveOut) {
    this(access, pattern, methods, scopes, plane, Set.of(), carveOut);
  }

  /** A human-plane rule for all methods. */
  public static Rule human(String pattern) {
    return new Rule(Access.HUMAN, pattern, Set.of(), Set.of(), null);
  }

  /** A machine-plane rule for all methods. */
  public static Rule machine(String pattern) {
    return new Rule(Access.MACHINE, pattern, Set.of(), Set.of(), null);
  }

  /** A public rule for all methods: no credential needed or examined. */
  public static Rule publicRoute(String pattern) {
    return new Rule(Access.PUBLIC, pattern, Set.of(), Set.of(), null);
  }

  /** A rule that admits nobody: the route answers like an unmapped one (404). */
  public static Rule deny(String pattern) {
    return new Rule(Access.DENY, pattern, Set.of(), Set.of(), null);
  }

  /** A debug rule requiring the credential of {@code plane}; 404 in prod. */
  public static Rule debug(String pattern, Plane plane) {
    return new Rule(Access.DEBUG, pattern, Set.of(), Set.of(), plane);
  }

  /** This rule restricted to {@code methods}. */
  public Rule withMethods(String... methods) {
    return new Rule(access, pattern, Set.of(methods), scopes, plane, purposes, carveOut);
  }

  /** This rule requiring {@code scopes}. */
  public Rule withScopes(String... scopes) {
    return new Rule(access, pattern, methods, Set.of(scopes), plane, purposes, carveOut);
  }

  /**
   * This rule requiring the request to name one of {@code purposes} in {@code X-AOS-Purpose}
   * (decision row 15a).
   */
  public Rule withPurposes(String... purposes) {
    return new Rule(access, pattern, methods, scopes, plane, Set.of(purposes), carveOut);
  }

  /**
   * This public rule marked as an intended hole in a protected rule ({@code carve-out=yes}).
   *
   * @throws IllegalArgumentException if this is not a public rule
   */
  public Rule withCarveOut() {
    return new Rule(access, pattern, methods, scopes, plane, purposes, true);
  }

  /** Whether this rule covers {@code method}. */
  public boolean covers(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  /**
   * The rule in policy file syntax, columns separated by single spaces: {@code machine
   * /api/v1/runs/** scopes=runs:write methods=POST,PUT}.
   */
  public String toPolicyLine() {
    StringBuilder sb = new StringBuilder(access.id()).append(' ').append(pattern);
    appendOptions(sb);
    return sb.toString();
  }

  /**
   * Appends {@code scopes=}, {@code methods=}, {@code plane=}, {@code purposes=} and {@code
   * carve-out=} options, each with a space.
   */
  void appendOptions(StringBuilder sb) {
    if (!scopes.isEmpty()) {
      sb.append(" scopes=").append(String.join(",", scopes));
    }
    if (!methods.isEmpty()) {
      sb.append(" methods=").append(String.join(",", methods));
    }
    if (access == Access.DEBUG && plane != null) {
      sb.append(" plane=").append(plane.id());
    }
    if (!purposes.isEmpty()) {
      sb.append(" purposes=").append(String.join(",", purposes));
    }
    if (carveOut) {
      sb.append(" carve-out=yes");
    }
  }

  @Override
  public String toString() {
    return toPolicyLine();
  }

  /** Returns why {@code pattern} is not a valid route pattern, or {@code null} if it is. */
  static @Nullable String patternProblem(String pattern) {
    if (pattern.length() > MAX_PATTERN_LENGTH) {
      return "pattern is longer than " + MAX_PATTERN_LENGTH + " characters";
    }
    if (!pattern.startsWith("/")) {
      return "pattern " + Text.quote(pattern, 64) + " must start with /";
    }
    if (pattern.equals("/")) {
      return null;
    }
    if (pattern.endsWith("/")) {
      return "pattern "
          + Text.quote(pattern, 64)
          + " must not end with / (a trailing slash in a request is ignored anyway)";
    }
    String[] segments = pattern.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.isEmpty()) {
        return "pattern " + Text.quote(pattern, 64) + " has an empty segment (//)";
      }
      if (s.equals("**")) {
        if (i != segments.length - 1) {
          return "** must be the last segment of " + Text.quote(pattern, 64);
        }
      } else if (s.equals("*") || VARIABLE.matcher(s).matches()) {
        // one-segment wildcard
      } else if (s.equals(".") || s.equals("..")) {
        return "pattern " + Text.quote(pattern, 64) + " has a dot segment";
      } else if (s.indexOf('*') >= 0 || s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
        return "wildcards must be a whole segment ({name}, * or **) in " + Text.quote(pattern, 64);
      } else if (!LITERAL.matcher(s).matches()) {
        return "segment "
            + Text.quote(s, 64)
            + " has characters outside [A-Za-z0-9._~!$&'()+,=:@-]; write the decoded path";
      }
    }
    return null;
  }

  /** {@code methods} with {@code HEAD} added if it has {@code GET}. */
  private static Set<String> withHeadForGet(Set<String> methods) {
    if (!methods.contains("GET") || methods.contains("HEAD")) {
      return methods;
    }
    TreeSet<String> both = new TreeSet<>(methods);
    both.add("HEAD");
    return Collections.unmodifiableSet(both);
  }

  private static Set<String> sorted(Collection<String> values) {
    return values.isEmpty() ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(values));
  }
}
