package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The values {@link StrictJson#parseObject} builds. The grammar itself is tested in {@link
 * TokenSyntaxTest}; here the oracle is Nimbus's own parser ({@link JSONObjectUtils#parse}), which
 * read the claims before: on every object both accept, both must give equal maps with equal value
 * types, and the strict parser must never accept what Nimbus refuses.
 */
class StrictJsonTest {

  @Test
  void typesValuesAsNimbusDoes() throws Exception {
    String json =
        "{\"sub\":\"u\",\"exp\":1767225600,\"f\":1.5,\"e\":1e3,\"neg\":-0,\"big\":92233720368547758070,"
            + "\"t\":true,\"no\":false,\"z\":null,\"aud\":[\"a\",\"b\"],\"o\":{\"k\":[1,{\"x\":\"\\u00e9\"}]}}";
    Map<String, @Nullable Object> parsed = parse(json);

    assertThat(parsed.get("exp")).isEqualTo(1767225600L);
    assertThat(parsed.get("f")).isEqualTo(1.5d);
    assertThat(parsed.get("e")).isEqualTo(1000.0d);
    assertThat(parsed.get("neg")).isEqualTo(0L);
    assertThat(parsed.get("big")).isEqualTo(9.223372036854776E19d);
    assertThat(parsed.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(parsed).containsEntry("z", null).containsKey("z");
    assertThat(parsed.keySet())
        .containsExactly("sub", "exp", "f", "e", "neg", "big", "t", "no", "z", "aud", "o");
    assertThat(parsed).isEqualTo(JSONObjectUtils.parse(json));
  }

  @Test
  void longRangeIsExactAtBothEnds() throws Exception {
    assertThat(parse("{\"a\":9223372036854775807}").get("a")).isEqualTo(Long.MAX_VALUE);
    assertThat(parse("{\"a\":-9223372036854775808}").get("a")).isEqualTo(Long.MIN_VALUE);
    assertThat(parse("{\"a\":9223372036854775808}").get("a")).isEqualTo(9.223372036854775807E18d);
    assertThat(parse("{\"a\":-9223372036854775809}").get("a")).isEqualTo(-9.223372036854775807E18d);
    for (String n :
        List.of(
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "999999999999999999",
            "1000000000000000000",
            "-0",
            "0")) {
      String json = "{\"a\":" + n + "}";
      assertThat(parse(json)).as(n).isEqualTo(JSONObjectUtils.parse(json));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":[1,2,1E999]}"})
  void refusesNumbersBeyondADouble(String json) {
    assertThat(StrictJson.parseObject(json)).isNull();
    assertThatThrownBy(() -> JSONObjectUtils.parse(json)).isInstanceOf(ParseException.class);
  }

  @Test
  void everyMapAndListIsUnmodifiable() {
    Map<String, @Nullable Object> parsed =
        parse("{\"a\":[1,{\"b\":[]}],\"c\":{},\"d\":{\"e\":[2]}}");
    assertThatThrownBy(() -> parsed.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    List<?> a = (List<?>) parsed.get("a");
    assertThatThrownBy(() -> a.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    Map<?, ?> inner = (Map<?, ?>) a.get(1);
    assertThatThrownBy(inner::clear).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> empty = (List<Object>) inner.get("b");
    assertThatThrownBy(() -> empty.add(1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> c = (Map<String, Object>) parsed.get("c");
    assertThatThrownBy(() -> c.put("k", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> e = (List<Object>) ((Map<?, ?>) parsed.get("d")).get("e");
    assertThatThrownBy(() -> e.set(0, 3)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aRepeatedNameIsRefusedEvenWhenTheFirstValueIsNull() {
    assertThat(StrictJson.parseObject("{\"a\":null,\"a\":1}")).isNull();
    assertThat(StrictJson.parseObject("{\"x\":{\"a\":null,\"a\":null}}")).isNull();
  }

  /**
   * Differential: random objects (names from a small set so that duplicates happen, every value
   * kind, escapes, nesting around the depth limit) and random single-character mutations of them.
   */
  @Test
  void agreesWithNimbusOnGeneratedAndMutatedObjects() {
    Random random = new Random(20261122);
    int bothAccepted = 0;
    int strictOnly = 0;
    for (int n = 0; n < 20_000; n++) {
      Generated generated = new Generated();
      String json = generated.object(random, 1);
      boolean mutated = n % 2 == 1;
      if (mutated) {
        json = mutate(random, json);
      }
      Map<String, @Nullable Object> strict = StrictJson.parseObject(json);
      Map<String, Object> nimbus;
      try {
        nimbus = JSONObjectUtils.parse(json);
      } catch (ParseException | RuntimeException e) {
        nimbus = null;
      }
      if (strict != null) {
        assertThat(nimbus).as(json).isNotNull();
        assertThat(strict).as(json).isEqualTo(nimbus);
        assertSameTypes(strict, nimbus, json);
        bothAccepted++;
      } else if (nimbus != null) {
        // Unmutated, the generator knows: the strict parser's own refusals are exactly these two.
        assertThat(mutated || generated.repeatsAName || generated.depth > StrictJson.MAX_DEPTH)
            .as(json)
            .isTrue();
        strictOnly++;
      }
    }
    assertThat(bothAccepted).isGreaterThan(5_000);
    assertThat(strictOnly).isGreaterThan(100);
  }

  private static void assertSameTypes(@Nullable Object a, @Nullable Object b, String json) {
    if (a == null || b == null) {
      assertThat(a).as(json).isEqualTo(b);
      return;
    }
    if (a instanceof Map<?, ?> ma) {
      assertThat(b).as(json).isInstanceOf(Map.class);
      for (Map.Entry<?, ?> e : ma.entrySet()) {
        assertSameTypes(e.getValue(), ((Map<?, ?>) b).get(e.getKey()), json);
      }
    } else if (a instanceof List<?> la) {
      assertThat(b).as(json).isInstanceOf(List.class);
      for (int i = 0; i < la.size(); i++) {
        assertSameTypes(la.get(i), ((List<?>) b).get(i), json);
      }
    } else {
      assertThat(a.getClass()).as(json).isEqualTo(b.getClass());
    }
  }

  /** Names as written and as decoded: "\\u0061" is "a", so the two repeat each other. */
  private static final String[] NAMES = {"a", "b", "sub", "\\u0061", "x\\ny", "é"};

  private static final String[] DECODED = {"a", "b", "sub", "a", "x\ny", "é"};
  private static final String[] NUMBERS = {
    "0",
    "-0",
    "7",
    "-12",
    "1767225600",
    "1.5",
    "-0.25e-3",
    "2E+5",
    "123456789012345678901234",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "1e308",
    "0.0"
  };
  private static final String[] STRINGS = {
    "\"\"", "\"s\"", "\"\\\"q\\\\\"", "\"\\u00e9\\ud83d\\ude00\"", "\"tab\\t\"", "\"é€\""
  };

  /** A random object, remembering whether it repeats a name in some object and how deep it is. */
  private static final class Generated {
    boolean repeatsAName;
    int depth;

    String object(Random random, int level) {
      depth = Math.max(depth, level);
      StringBuilder sb = new StringBuilder("{");
      Set<String> names = new HashSet<>();
      int members = random.nextInt(level == 1 ? 6 : 3);
      for (int m = 0; m < members; m++) {
        if (m > 0) {
          sb.append(random.nextInt(4) == 0 ? " , " : ",");
        }
        int name = random.nextInt(NAMES.length);
        repeatsAName |= !names.add(DECODED[name]);
        sb.append('"').append(NAMES[name]).append("\":");
        sb.append(value(random, level));
      }
      return sb.append('}').toString();
    }

    private String value(Random random, int level) {
      int kind = random.nextInt(level > 18 ? 4 : 7);
      return switch (kind) {
        case 0 -> NUMBERS[random.nextInt(NUMBERS.length)];
        case 1 -> STRINGS[random.nextInt(STRINGS.length)];
        case 2 -> List.of("true", "false", "null").get(random.nextInt(3));
        case 3 -> String.valueOf(random.nextLong());
        case 4, 5 -> object(random, level + 1);
        default -> {
          depth = Math.max(depth, level + 1);
          StringBuilder sb = new StringBuilder("[");
          int elements = random.nextInt(3);
          for (int e = 0; e < elements; e++) {
            sb.append(e > 0 ? "," : "").append(value(random, level + 1));
          }
          yield sb.append(']').toString();
        }
      };
    }
  }

  private static final String MUTATIONS = "{}[]\":,.-+eE01 \\/ntfu'x\t";

  private static String mutate(Random random, String json) {
    StringBuilder sb = new StringBuilder(json);
    int at = random.nextInt(sb.length());
    switch (random.nextInt(3)) {
      case 0 -> sb.deleteCharAt(at);
      case 1 -> sb.insert(at, MUTATIONS.charAt(random.nextInt(MUTATIONS.length())));
      default -> sb.setCharAt(at, MUTATIONS.charAt(random.nextInt(MUTATIONS.length())));
    }
    return sb.toString();
  }

  private static Map<String, @Nullable Object> parse(String json) {
    Map<String, @Nullable Object> parsed = StrictJson.parseObject(json);
    assertThat(parsed).as(json).isNotNull();
    return parsed;
  }
}
