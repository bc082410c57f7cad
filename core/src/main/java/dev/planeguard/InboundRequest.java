package dev.planeguard;

import dev.planeguard.internal.SimpleRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parts of an HTTP request the engine looks at, as an adapter sees them. Values are raw: the
 * engine does its own single percent-decode and never trusts a value the adapter normalised.
 */
public interface InboundRequest {

  /** The request method exactly as received (case is significant: {@code get} is refused). */
  String method();

  /**
   * The raw, still percent-encoded request path relative to the application (the context path
   * removed), without query. Starts with {@code /}.
   */
  String path();

  /** The raw query string without {@code ?}, or {@code null} if there is none. */
  @Nullable String query();

  /**
   * Every value of every header with this name (case-insensitive), in order; empty if none. Each
   * header line is one value, even if it contains commas.
   */
  List<String> headers(String name);

  /**
   * The path the container decoded and will dispatch on (Servlet {@code servletPath + pathInfo}),
   * or {@code null} if the adapter has none. When present it must equal the engine's own decoding
   * of {@link #path()}, or the request is refused.
   */
  default @Nullable String containerPath() {
    return null;
  }

  /** A request id for the audit event (for example from {@code X-Request-Id}), or {@code null}. */
  default @Nullable String requestId() {
    return null;
  }

  /**
   * A request from its parts, for tests, the CLI and adapters without a request object of their
   * own.
   *
   * @param method the method as received
   * @param target the raw request target: path and optional {@code ?query}
   * @param headers header values by name (names are matched case-insensitively)
   */
  static InboundRequest of(String method, String target, Map<String, List<String>> headers) {
    return SimpleRequest.of(method, target, headers);
  }
}
