package dev.planeguard;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claims of a verified token as a {@link HumanPrincipal} holds them: deeply unmodifiable, in
 * the token's order. Only this package creates instances, so {@link HumanPrincipal} can keep one
 * without copying it again; any other map given to it is copied.
 */
final class VerifiedClaims extends AbstractMap<String, Object> {

  private final Map<String, Object> view;

  private VerifiedClaims(Map<String, Object> view) {
    this.view = view;
  }

  /** A deep copy of {@code claims}: nested objects and arrays are copied and frozen too. */
  static VerifiedClaims copyOf(Map<String, Object> claims) {
    Map<String, Object> copy = new LinkedHashMap<>((int) (claims.size() / 0.75f) + 1);
    for (Map.Entry<String, Object> e : claims.entrySet()) {
      copy.put(e.getKey(), freeze(e.getValue()));
    }
    return new VerifiedClaims(Collections.unmodifiableMap(copy));
  }

  /**
   * The claims as {@link dev.planeguard.internal.StrictJson#parseObject} returned them, kept
   * without a copy: that map is unmodifiable at every depth and nobody else holds a reference that
   * could change it. A JSON {@code null} member is a null value, as in Nimbus's claim maps.
   */
  @SuppressWarnings("NullAway") // null values for JSON null members; get() is @Nullable anyway
  static VerifiedClaims ofParsed(Map<String, @Nullable Object> parsed) {
    @SuppressWarnings("unchecked")
    Map<String, Object> view = (Map<String, Object>) (Map<String, ?>) parsed;
    return new VerifiedClaims(view);
  }

  private static @Nullable Object freeze(@Nullable Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object o : list) {
        copy.add(freeze(o));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return view.entrySet();
  }

  @Override
  public @Nullable Object get(@Nullable Object key) {
    return view.get(key);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return view.containsKey(key);
  }

  @Override
  public int size() {
    return view.size();
  }
}
