package dev.planeguard.internal;

import dev.planeguard.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A segment trie of policy rules. Matching walks one node per path segment, trying the literal
 * child before the one-segment wildcard before {@code **}, so the first rule found is the most
 * specific one. Each node is visited at most once per match, and literal children are found by hash
 * lookup: the cost depends on the path, not on the number of rules.
 *
 * <p>Each node holds, per HTTP method, at most one rule ending there and at most one {@code **}
 * rule. Two rules wanting the same slot match the same requests at equal specificity; {@link #add}
 * reports them.
 */
public final class RouteTrie {

  private static final int METHOD_COUNT = Rule.METHODS.size();

  static final class Node {
    @Nullable Map<String, Node> literals;

    /** The same children as {@link #literals}, found by a region of the path without a copy. */
    @Nullable Literals lookup;

    @Nullable Node wildcard;
    final @Nullable Rule[] exact = new Rule[METHOD_COUNT];
    final @Nullable Rule[] rest = new Rule[METHOD_COUNT];
  }

  /**
   * An open-addressing table of literal segments (linear probing, at most half full) whose lookup
   * takes a region of the request path: matching allocates no substring and hashes each segment
   * once, where a {@code HashMap<String, Node>} needed a new string, and its hash, per segment.
   */
  static final class Literals {
    private String[] keys = new String[4];
    private Node[] nodes = new Node[4];
    private int size;

    // Each probe loop is bounded by the table's length although a free slot always ends it (the
    // table is at most half full): a loop that cannot run away stays so under any change to it.
    @Nullable Node get(String path, int from, int to) {
      int length = to - from;
      int mask = keys.length - 1;
      int i = hash(path, from, to) & mask;
      for (int probes = 0; probes < keys.length; probes++) {
        String key = keys[i];
        if (key == null) {
          return null;
        }
        if (key.length() == length && path.regionMatches(from, key, 0, length)) {
          return nodes[i];
        }
        i = (i + 1) & mask;
      }
      return null;
    }

    void put(String key, Node node) {
      if (2 * (size + 1) > keys.length) {
        String[] oldKeys = keys;
        Node[] oldNodes = nodes;
        keys = new String[oldKeys.length * 2];
        nodes = new Node[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldKeys[i] != null) {
            insert(oldKeys[i], oldNodes[i]);
          }
        }
      }
      insert(key, node);
    }

    private void insert(String key, Node node) {
      int mask = keys.length - 1;
      int i = key.hashCode() & mask;
      for (int probes = 0; probes < keys.length; probes++) {
        if (keys[i] == null) {
          keys[i] = key;
          nodes[i] = node;
          size++;
          return;
        }
        i = (i + 1) & mask;
      }
      throw new IllegalStateException("route table full");
    }

    /** {@code s.substring(from, to).hashCode()}, without the substring. */
    static int hash(String s, int from, int to) {
      int h = 0;
      for (int i = from; i < to; i++) {
        h = 31 * h + s.charAt(i);
      }
      return h;
    }
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
            node.lookup = new Literals();
          }
          Node child = node.literals.get(s);
          if (child == null) {
            child = new Node();
            node.literals.put(s, child);
            java.util.Objects.requireNonNull(node.lookup).put(s, child);
          }
          node = child;
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
    Literals literals = node.lookup;
    if (literals != null) {
      Node child = literals.get(path, from, slash);
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

  /**
   * A segment no literal of any rule can equal ({@code *} is not a literal character), standing for
   * every value the trie does not name.
   */
  private static final String FRESH = "*";

  private static final int MAX_SAMPLES = 20_000;

  /**
   * Request paths standing for every path a pattern matches, as far as this trie can tell paths
   * apart: the trie only distinguishes the literal segments its rules name from every other value,
   * so each wildcard segment is tried with each literal the trie has at that place and with one
   * value it has none for, and a trailing {@code **} with every depth the trie reaches plus one.
   * Matching each sample gives exactly the set of rules that decide some path of the pattern.
   *
   * @param pattern a valid rule pattern
   * @param paths receives every sample
   * @param generic receives the samples whose wildcard segments are all values no rule names: the
   *     paths that only the pattern's own shape decides
   * @return false if the samples were cut off at {@value #MAX_SAMPLES} (the lists are then partial)
   */
  public boolean samples(String pattern, List<String> paths, List<String> generic) {
    String[] segments = pattern.equals("/") ? new String[0] : pattern.substring(1).split("/", -1);
    return expand(segments, 0, "", List.of(root), true, paths, generic);
  }

  private static boolean expand(
      String[] segments,
      int i,
      String prefix,
      List<Node> alive,
      boolean fresh,
      List<String> paths,
      List<String> generic) {
    if (paths.size() >= MAX_SAMPLES) {
      return false;
    }
    if (i == segments.length) {
      record(prefix, fresh, paths, generic);
      return true;
    }
    String s = segments[i];
    if (s.equals("**")) {
      return expandRest(prefix, alive, fresh, paths, generic);
    }
    if (!s.equals("*") && !s.startsWith("{")) {
      return expand(segments, i + 1, prefix + "/" + s, advance(alive, s), fresh, paths, generic);
    }
    boolean complete = true;
    for (String value : values(alive)) {
      complete &=
          expand(
              segments,
              i + 1,
              prefix + "/" + value,
              advance(alive, value),
              fresh && value.equals(FRESH),
              paths,
              generic);
    }
    return complete;
  }

  /** A trailing {@code **}: no more segments, or one more and then again any number. */
  private static boolean expandRest(
      String prefix, List<Node> alive, boolean fresh, List<String> paths, List<String> generic) {
    if (paths.size() >= MAX_SAMPLES) {
      return false;
    }
    record(prefix, fresh, paths, generic);
    boolean complete = true;
    for (String value : values(alive)) {
      List<Node> next = advance(alive, value);
      boolean stillFresh = fresh && value.equals(FRESH);
      if (next.isEmpty()) {
        // Past every node: deeper paths fall back to the same ** rules as this one.
        record(prefix + "/" + value, stillFresh, paths, generic);
      } else {
        complete &= expandRest(prefix + "/" + value, next, stillFresh, paths, generic);
      }
    }
    return complete;
  }

  private static void record(String path, boolean fresh, List<String> paths, List<String> generic) {
    String p = path.isEmpty() ? "/" : path;
    paths.add(p);
    if (fresh) {
      generic.add(p);
    }
  }

  /** The literals the alive nodes name for their next segment, then a value none of them names. */
  private static List<String> values(List<Node> alive) {
    TreeSet<String> literals = new TreeSet<>();
    for (Node n : alive) {
      if (n.literals != null) {
        literals.addAll(n.literals.keySet());
      }
    }
    List<String> values = new ArrayList<>(literals);
    values.add(FRESH);
    return values;
  }

  /** The nodes a path segment {@code value} leads to from the alive ones. */
  private static List<Node> advance(List<Node> alive, String value) {
    List<Node> next = new ArrayList<>();
    for (Node n : alive) {
      Node literal = n.literals == null ? null : n.literals.get(value);
      if (literal != null) {
        next.add(literal);
      }
      if (n.wildcard != null) {
        next.add(n.wildcard);
      }
    }
    return next;
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
