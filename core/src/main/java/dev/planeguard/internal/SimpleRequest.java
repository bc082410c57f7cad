package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.InboundRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** An {@link InboundRequest} built from plain values. */
public final class SimpleRequest implements InboundRequest {

  private final String method;
  private final String path;
  private final @Nullable String query;
  private final Map<String, List<String>> headers;

  private SimpleRequest(
      String method, String path, @Nullable String query, Map<String, List<String>> headers) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers;
  }

  /** Splits {@code target} at the first {@code ?} and indexes headers case-insensitively. */
  public static SimpleRequest of(String method, String target, Map<String, List<String>> headers) {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? null : target.substring(q + 1);
    Map<String, List<String>> index = new TreeMap<>();
    headers.forEach(
        (name, values) ->
            index
                .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
    index.replaceAll((k, v) -> List.copyOf(v));
    return new SimpleRequest(method, path, query, index);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public @Nullable String query() {
    return query;
  }

  @Override
  public List<String> headers(String name) {
    return headers.getOrDefault(lowerCase(name), List.of());
  }

  /** {@code name.toLowerCase(Locale.ROOT)}, without a copy when it is lower-case ASCII already. */
  static String lowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'A' && c <= 'Z') || c > 0x7f) {
        return name.toLowerCase(Locale.ROOT);
      }
    }
    return name;
  }

  @Override
  public String toString() {
    return "SimpleRequest{"
        + Text.escape(method, 16)
        + " "
        + Text.escape(Redaction.redact(path), 256)
        + "}";
  }
}
