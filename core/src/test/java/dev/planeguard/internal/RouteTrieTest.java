package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Rule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteTrie} on its own: what {@link RouteTrie#match} answers outside the paths the firewall
 * lets through, and the exact samples, generic samples and cut-off of {@link RouteTrie#samples}.
 * Matching itself is tested through {@code Policy} and {@code RouteCoverage}.
 */
class RouteTrieTest {

  /** The documented cut-off of {@link RouteTrie#samples}. */
  static final int MAX_SAMPLES = 20_000;

  static RouteTrie trie(Rule... rules) {
    RouteTrie trie = new RouteTrie();
    for (Rule rule : rules) {
      trie.add(
          rule,
          (existing, added) -> {
            throw new AssertionError(existing + " / " + added);
          });
    }
    return trie;
  }

  @Test
  void onlyOriginFormPathsAndTheSevenMethodsMatch() {
    Rule everything = Rule.human("/**");
    RouteTrie trie = trie(everything);
    assertThat(trie.match("/x", "GET")).isSameAs(everything);
    assertThat(trie.match("/", "OPTIONS")).isSameAs(everything);
    assertThat(trie.match("", "GET")).isNull();
    assertThat(trie.match("x", "GET")).isNull();
    assertThat(trie.match("x/y", "GET")).isNull();
    assertThat(trie.match("/x", "TRACE")).isNull();
    assertThat(trie.match("/x", "get")).isNull();
  }

  @Test
  void aTrailingSlashIsIgnored() {
    Rule root = Rule.publicRoute("/");
    Rule a = Rule.human("/a");
    Rule child = Rule.machine("/a/*");
    RouteTrie trie = trie(root, a, child);
    assertThat(trie.match("/", "GET")).isSameAs(root);
    assertThat(trie.match("/a/", "GET")).isSameAs(a);
    assertThat(trie.match("/a/b/", "GET")).isSameAs(child);
    assertThat(trie.match("/a/b/c/", "GET")).isNull();
  }

  @Test
  void samplesTryEachLiteralTheTrieNamesThereAndOneValueItDoesNot() {
    RouteTrie trie = trie(Rule.human("/a/x"), Rule.human("/a/y/z"), Rule.machine("/a/*/q"));
    for (String pattern : List.of("/a/*", "/a/{id}")) {
      List<String> paths = new ArrayList<>();
      List<String> generic = new ArrayList<>();
      assertThat(trie.samples(pattern, paths, generic)).isTrue();
      assertThat(paths).as(pattern).containsExactly("/a/x", "/a/y", "/a/*");
      assertThat(generic).as(pattern).containsExactly("/a/*");
    }
    List<String> paths = new ArrayList<>();
    List<String> generic = new ArrayList<>();
    assertThat(trie.samples("/a/{id}/*", paths, generic)).isTrue();
    assertThat(paths)
        .containsExactly("/a/x/q", "/a/x/*", "/a/y/q", "/a/y/z", "/a/y/*", "/a/*/q", "/a/*/*");
    assertThat(generic).containsExactly("/a/*/*");
  }

  @Test
  void samplesOfTheRootAndOfARestPattern() {
    RouteTrie trie = trie(Rule.human("/a/b"), Rule.machine("/c"));
    List<String> paths = new ArrayList<>();
    List<String> generic = new ArrayList<>();
    assertThat(trie.samples("/", paths, generic)).isTrue();
    assertThat(paths).containsExactly("/");
    assertThat(generic).containsExactly("/");

    paths.clear();
    generic.clear();
    assertThat(trie.samples("/**", paths, generic)).isTrue();
    assertThat(paths).containsExactly("/", "/a", "/a/b", "/a/b/*", "/a/*", "/c", "/c/*", "/*");
    assertThat(generic).containsExactly("/", "/*");
  }

  /**
   * 150 literals under {@code /p} and 150 more under {@code /p/*}: {@code /p/*}{@code /*} stands
   * for 151 x 151 samples and {@code /p/**} for more still, past the cut-off.
   */
  static RouteTrie wide() {
    RouteTrie trie = new RouteTrie();
    for (int i = 0; i < 150; i++) {
      trie.add(Rule.human("/p/l" + i), (x, y) -> {});
      trie.add(Rule.machine("/p/*/m" + i), (x, y) -> {});
    }
    return trie;
  }

  @Test
  void samplesAreCutOffAtTheLimitAndSaySo() {
    RouteTrie trie = wide();
    List<String> paths = new ArrayList<>();
    List<String> generic = new ArrayList<>();
    assertThat(trie.samples("/p/*/*", paths, generic)).isFalse();
    assertThat(paths).hasSize(MAX_SAMPLES);
    assertThat(paths).startsWith("/p/l0/m0", "/p/l0/m1");

    for (String pattern : List.of("/p/**", "/**", "/p/{a}/**")) {
      paths.clear();
      generic.clear();
      assertThat(trie.samples(pattern, paths, generic)).as(pattern).isFalse();
      assertThat(paths).as(pattern).hasSizeGreaterThanOrEqualTo(MAX_SAMPLES);
    }

    paths.clear();
    generic.clear();
    assertThat(trie.samples("/p/l7/*", paths, generic)).isTrue();
    assertThat(paths).hasSize(151).startsWith("/p/l7/m0").endsWith("/p/l7/*");
    // A literal segment of the pattern leaves a sample generic; only the trie's literals do not.
    assertThat(generic).containsExactly("/p/l7/*");
  }

  /**
   * Literal children are found by a region of the path: segments whose hashes collide ("Aa" and
   * "BB" have the same {@code String.hashCode}), prefixes of each other, and a table grown far past
   * its first size all find exactly their own rule, and a segment no rule names finds none.
   */
  @Test
  void literalSegmentsAreFoundByTheirExactCharacters() {
    RouteTrie trie = new RouteTrie();
    List<Rule> rules = new ArrayList<>();
    List<String> names =
        new ArrayList<>(List.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa", "a", "ab"));
    for (int i = 0; i < 1000; i++) {
      names.add("s" + i);
    }
    for (String name : names) {
      Rule r = Rule.human("/x/" + name + "/y");
      rules.add(r);
      trie.add(
          r,
          (a, b) -> {
            throw new AssertionError("no collision expected");
          });
    }
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    for (int i = 0; i < names.size(); i++) {
      assertThat(trie.match("/x/" + names.get(i) + "/y", "GET")).isEqualTo(rules.get(i));
      assertThat(trie.match("/x/" + names.get(i) + "/y/", "GET")).isEqualTo(rules.get(i));
    }
    for (String absent : List.of("Ab", "B", "AaA", "s1000", "S1", "s", "", "A\u0000a")) {
      assertThat(trie.match("/x/" + absent + "/y", "GET")).as(absent).isNull();
    }
    assertThat(trie.match("/x/Aa", "GET")).isNull();
    assertThat(trie.match("/x/Aa/y/z", "GET")).isNull();
  }

  @Test
  void aRegionHashesAsTheSubstringWould() {
    for (String path : List.of("/api/v1/accounts/me", "/x/Aa/BB", "/é/ü/ß", "/a")) {
      for (int from = 0; from <= path.length(); from++) {
        for (int to = from; to <= path.length(); to++) {
          assertThat(RouteTrie.Literals.hash(path, from, to))
              .isEqualTo(path.substring(from, to).hashCode());
        }
      }
    }
  }
}
