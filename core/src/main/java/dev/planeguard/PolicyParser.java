package dev.planeguard;

import dev.planeguard.internal.Text;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the policy file format into a {@link Policy}, line by line, collecting every problem with
 * its line and a fix.
 */
final class PolicyParser {

  private PolicyParser() {}

  /** See {@link Policy#parse}. */
  static Policy parse(String text, String sourceName) {
    Policy.Builder builder = Policy.builder();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String where = sourceName + ":" + (i + 1);
      String line = lines[i];
      String origin = where;
      int hash = line.indexOf('#');
      if (hash >= 0) {
        String comment = line.substring(hash + 1).strip();
        if (comment.startsWith(Policy.FROM)) {
          // An exported policy names where each rule was first declared.
          origin = where + " (from " + comment.substring(Policy.FROM.length()).strip() + ")";
        }
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      Rule rule = parseLine(line, where, builder.problems);
      if (rule != null) {
        builder.rule(rule, origin);
      }
    }
    return builder.build(sourceName);
  }

  private static @Nullable Rule parseLine(String line, String where, List<Problem> problems) {
    String[] tokens = line.split("\\s+");
    String keyword = tokens[0];
    Access access = Access.parse(keyword);
    if (access == null) {
      if (keyword.equalsIgnoreCase("database")) {
        problems.add(
            new Problem(
                where,
                "no HTTP route can belong to the database plane",
                "remove the line; migrations are gated by the migration gate, not by routes"));
      } else {
        problems.add(
            new Problem(
                where,
                "unknown access " + Text.quote(keyword, 32),
                "start the line with human, machine, public, debug or deny (lower case)"));
      }
      return null;
    }
    if (tokens.length < 2) {
      problems.add(
          new Problem(where, "missing route pattern", "write: " + keyword + " /path/pattern"));
      return null;
    }
    String pattern = tokens[1];
    Set<String> methods = Set.of();
    Set<String> scopes = Set.of();
    Set<String> purposes = Set.of();
    Plane plane = null;
    boolean carveOut = false;
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (int t = 2; t < tokens.length; t++) {
      String option = tokens[t];
      int eq = option.indexOf('=');
      String key = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? "" : option.substring(eq + 1);
      if (!seen.add(key)) {
        problems.add(
            new Problem(where, "option " + Text.quote(key, 32) + " given twice", "merge them"));
        ok = false;
        continue;
      }
      if (eq < 0
          || value.isEmpty()
          || value.startsWith(",")
          || value.endsWith(",")
          || value.contains(",,")) {
        problems.add(
            new Problem(
                where,
                "option " + Text.quote(option, 64) + " needs a value",
                "write key=value, lists comma-separated without spaces"));
        ok = false;
        continue;
      }
      switch (key) {
        case "methods" -> {
          methods = new LinkedHashSet<>(Arrays.asList(value.split(",")));
          for (String m : methods) {
            if (!Rule.METHODS.contains(m)) {
              problems.add(
                  new Problem(
                      where,
                      "unknown method " + Text.quote(m, 16),
                      "use upper-case methods from " + String.join(",", Rule.METHODS)));
              ok = false;
            }
          }
        }
        case "scopes" -> scopes = new LinkedHashSet<>(Arrays.asList(value.split(",")));
        case "purposes" -> purposes = new LinkedHashSet<>(Arrays.asList(value.split(",")));
        case "plane" -> {
          if (value.equals("human")) {
            plane = Plane.HUMAN;
          } else if (value.equals("machine")) {
            plane = Plane.MACHINE;
          } else if (value.equals("database")) {
            problems.add(
                new Problem(
                    where,
                    "no HTTP route can belong to the database plane",
                    "use plane=human or plane=machine"));
            ok = false;
          } else {
            problems.add(
                new Problem(
                    where,
                    "unknown plane " + Text.quote(value, 32),
                    "use plane=human or plane=machine"));
            ok = false;
          }
        }
        case "carve-out" -> {
          if (value.equals("yes") || value.equals("no")) {
            carveOut = value.equals("yes");
          } else {
            problems.add(
                new Problem(
                    where,
                    "unknown carve-out value " + Text.quote(value, 32),
                    "write carve-out=yes (public rules that open a hole in a protected rule)"));
            ok = false;
          }
        }
        default -> {
          problems.add(
              new Problem(
                  where,
                  "unknown option " + Text.quote(key, 32),
                  "use scopes=, methods=, purposes=, plane= (debug rules only) or carve-out=yes"
                      + " (public rules only)"));
          ok = false;
        }
      }
    }
    if (!ok) {
      return null;
    }
    if (plane != null && access != Access.DEBUG) {
      problems.add(
          new Problem(
              where,
              "plane= is only for debug rules",
              "remove plane=; a " + access.id() + " rule's plane is implied"));
      return null;
    }
    try {
      return new Rule(access, pattern, methods, scopes, plane, purposes, carveOut);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      problems.add(new Problem(where, message, fixFor(message)));
      return null;
    }
  }

  private static String fixFor(String message) {
    if (message.startsWith("debug rules need")) {
      return "add plane=human or plane=machine";
    }
    if (message.contains("database plane")) {
      return "remove the rule";
    }
    if (message.contains("HEAD without GET")) {
      return "write methods=GET,HEAD, or leave HEAD out";
    }
    if (message.startsWith("unknown method")) {
      return "use upper-case methods from " + String.join(",", Rule.METHODS);
    }
    if (message.startsWith("invalid scope")) {
      return "write scopes of letters, digits and : . _ / - only, comma-separated";
    }
    if (message.startsWith("invalid purpose")) {
      return "write purposes of letters, digits and : . _ / - only, comma-separated";
    }
    if (message.contains("purposes=")) {
      return "remove purposes=, or make the rule human, machine or debug";
    }
    if (message.contains("scopes=")) {
      return "remove scopes=, or make the rule human or machine";
    }
    if (message.startsWith("carve-out=")) {
      return "remove carve-out=yes; only a public rule can be a carve-out";
    }
    if (message.startsWith("plane=")) {
      return "remove plane=; only debug rules name their plane";
    }
    if (message.startsWith("**")) {
      return "end the pattern at **, or use * for one segment in the middle";
    }
    return "write the pattern as /literal/{name}/* with an optional final /** (see docs/policy.md)";
  }
}
