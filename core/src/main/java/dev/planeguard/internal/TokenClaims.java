package dev.planeguard.internal;

import dev.planeguard.Detail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The registered claims of a token read with the types RFC 7519 gives them, straight from the
 * parsed payload (building a claims set costs more than checking it), and its scopes.
 */
public final class TokenClaims {

  private TokenClaims() {}

  /**
   * A NumericDate claim in milliseconds (seconds since the epoch, fractions dropped as Nimbus
   * does), {@code null} if absent.
   *
   * @throws Jws.Rejected MALFORMED if present but not a number of a sane size
   */
  public static @Nullable Long seconds(Map<String, @Nullable Object> claims, String name)
      throws Jws.Rejected {
    Object value = claims.get(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)
        || Double.isNaN(n.doubleValue())
        || Math.abs(n.doubleValue()) > MAX_SECONDS) {
      throw Jws.Rejected.of(Detail.MALFORMED);
    }
    return n.longValue() * 1000;
  }

  /** The largest NumericDate accepted: its milliseconds still fit in a long. */
  private static final double MAX_SECONDS = Long.MAX_VALUE / 1000.0 / 2;

  public static boolean notString(@Nullable Object value) {
    return value != null && !(value instanceof String);
  }

  /** {@code aud} as a list: absent is empty; a string or an array of strings; else {@code null}. */
  public static @Nullable List<String> audience(Map<String, @Nullable Object> claims) {
    Object value = claims.get("aud");
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof List<?> list)) {
      return null;
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s)) {
        return null;
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Scopes from {@code scope} (space-separated) or {@code scp} (array, or space-separated), as the
   * immutable set the principal keeps (so it is not copied again).
   */
  public static Set<String> scopes(Map<String, @Nullable Object> claims) {
    List<String> scopes = new ArrayList<>();
    addScopes(claims.get("scope"), scopes);
    addScopes(claims.get("scp"), scopes);
    return Set.copyOf(scopes); // duplicates collapse
  }

  private static void addScopes(@Nullable Object value, List<String> into) {
    if (value instanceof String s) {
      for (String part : s.split(" ")) {
        if (!part.isEmpty()) {
          into.add(part);
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && !s.isEmpty()) {
          into.add(s);
        }
      }
    }
  }
}
