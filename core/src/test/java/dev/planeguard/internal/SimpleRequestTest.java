package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SimpleRequest}: header names match case-insensitively, exactly as lower-casing them. */
class SimpleRequestTest {

  @Test
  void headerNamesMatchInAnyCase() {
    SimpleRequest r =
        SimpleRequest.of(
            "GET",
            "/a?b=c",
            Map.of("Authorization", List.of("Bearer x"), "x-aos-key", List.of("k")));
    for (String name :
        new String[] {"Authorization", "authorization", "AUTHORIZATION", "aUtHoRiZaTiOn"}) {
      assertThat(r.headers(name)).as(name).containsExactly("Bearer x");
    }
    for (String name : new String[] {"X-AOS-Key", "x-aos-key", "X-Aos-KEY"}) {
      assertThat(r.headers(name)).as(name).containsExactly("k");
    }
    assertThat(r.headers("X-AOS-Customer-Key")).isEmpty();
    assertThat(r.path()).isEqualTo("/a");
    assertThat(r.query()).isEqualTo("b=c");
  }

  @Test
  void lookupNamesAreLowerCasedLikeLocaleRoot() {
    // The shortcut for names that are lower-case ASCII already must not change any other answer:
    // non-ASCII letters (dotless i, Kelvin sign, long s, sharp s) go through toLowerCase as before.
    String[] names = {
      "authorization",
      "Authorization",
      "x-aos-key",
      "X-AOS-KEY",
      "x-aos-\u212Aey",
      "authorız\u0131tion",
      "\u017Fandbox",
      "stra\u00DFe",
      "\u00C9T\u00C9",
      "",
      "-",
      "x_y",
      "A",
      "z",
      "@[`{"
    };
    for (String name : names) {
      String lower = SimpleRequest.lowerCase(name);
      assertThat(lower).as(name).isEqualTo(name.toLowerCase(Locale.ROOT));
      if (lower.equals(name)) {
        assertThat(lower).as("no copy for %s", name).isSameAs(name);
      }
    }
  }
}
