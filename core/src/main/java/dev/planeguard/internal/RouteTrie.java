package dev.planeguard.internal;

import dev.planeguard.Rule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A segment trie of policy rules. Matching walks one node per path segment, trying the literal
 * child before the one-segment wildcard before {@code **}, so the first rule found is the most
 * specific one. Each node is visited at most once per match, and literal children are found by
 * hash lookup: the cost depends on the path, not on the number of rules.
 *
 * <p>Each node holds, per HTTP method, at most one rule ending there and at most one {@code **}
 * rule. Two rules wanting the same slot match the same requests at equal specificity; {@link
 * #add} reports them.
 */
public final class RouteTrie {

  private static final int METHOD_COUNT = Rule.METHODS.size();

  private static final class Node {
    @Nullable Map<String, Node> literals;
    @Nullable Node wildcard;
    final @Nullable Rule[] exact = new Rule[METHOD_COUNT];
    final @Nullable Rule[] rest = new Rule[METHOD_COUNT];
  }

  private final Node root = new Node();

  /**
   * Adds {@code rule}. For each method slot already taken, calls {@code collision} with the rule
   * holding it and {@code rule}, once per distinct earlier rule, and leaves the slot as it was.
   */
  public void add(Rule rule, BiConsumer<Rule, Rule> collision) {
    Node node = root;
    @Nullable Rule[] slots = null;
    if (!rule.pattern().equals("/")) {
      String[] segments = rule.pattern().substring(1).split("/", -1);
      for (int i = 0; i < segments.length; i++) {
        String s = segments[i];
        if (s.equals("**")) {
          slots = node.rest;
          break;
        }
        if (s.equals("*") || s.startsWith("{")) {
          if (node.wildcard == null) {
            node.wildcard = new Node();
          }
          node = node.wildcard;
        } else {
          if (node.literals == null) {
            node.literals = new HashMap<>();
          }
          node = node.literals.computeIfAbsent(s, k -> new Node());
        }
      }
    }
    if (slots == null) {
      slots = node.exact;
    }
    Rule reported = null;
    for (int m = 0; m < METHOD_COUNT; m++) {
      if (!rule.covers(Rule.METHODS.get(m))) {
        continue;
      }
      Rule existing = slots[m];
      if (existing == null) {
        slots[m] = rule;
      } else if (!existing.equals(reported)) {
        collision.accept(existing, rule);
        reported = existing;
      }
    }
  }

  /**
   * Finds the most specific rule for a request.
   *
   * @param path the decoded path: starts with {@code /}, no empty or dot segments, at most one
   *     trailing slash (ignored)
   * @param method an upper-case method from {@link Rule#METHODS}
   * @return the rule, or {@code null} if none matches
   */
  public @Nullable Rule match(String path, String method) {
    int m = methodIndex(method);
    if (m < 0 || path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    int end = path.length();
    if (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    return walk(root, path, 1, end, m);
  }

  private static @Nullable Rule walk(Node node, String path, int from, int end, int m) {
    if (from >= end) {
      Rule exact = node.exact[m];
      return exact != null ? exact : node.rest[m];
    }
    int slash = path.indexOf('/', from);
    if (slash < 0 || slash > end) {
      slash = end;
    }
    Map<String, Node> literals = node.literals;
    if (literals != null) {
      Node child = literals.get(path.substring(from, slash));
      if (child != null) {
        Rule found = walk(child, path, slash + 1, end, m);
        if (found != null) {
          return found;
        }
      }
    }
    Node wildcard = node.wildcard;
    if (wildcard != null) {
      Rule found = walk(wildcard, path, slash + 1, end, m);
      if (found != null) {
        return found;
      }
    }
    return node.rest[m];
  }

  /** The index of {@code method} in {@link Rule#METHODS}, or -1. */
  public static int methodIndex(String method) {
    return switch (method) {
      case "GET" -> 0;
      case "HEAD" -> 1;
      case "POST" -> 2;
      case "PUT" -> 3;
      case "PATCH" -> 4;
      case "DELETE" -> 5;
      case "OPTIONS" -> 6;
      default -> -1;
    };
  }

  static {
    List<String> methods = Rule.METHODS;
    for (int i = 0; i < methods.size(); i++) {
      if (methodIndex(methods.get(i)) != i) {
        throw new AssertionError("methodIndex disagrees with Rule.METHODS");
      }
    }
  }
}
