package dev.planeguard.webflux.internal;

import dev.planeguard.InboundRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * A reactive request as the engine sees it. Nothing is decoded or normalised here: the raw path
 * within the application (still percent-encoded, the context path removed) is the engine's {@link
 * #path()}, and the path WebFlux matches handlers against — each segment decoded once, its matrix
 * parameters ({@code ;a=b}) removed, as {@code PathPattern} reads it — is its {@link
 * #containerPath()}, which the engine requires to equal its own single decode of the raw path.
 *
 * <p>A fragment the server left in the request URI is put back on the path, so that the firewall
 * refuses it as it refuses any fragment.
 */
public final class ExchangeRequestView implements InboundRequest {

  private final ServerHttpRequest request;
  private final String path;
  private final @Nullable String query;
  private final String containerPath;
  private final @Nullable String requestIdHeader;

  private ExchangeRequestView(
      ServerHttpRequest request,
      String path,
      @Nullable String query,
      String containerPath,
      @Nullable String requestIdHeader) {
    this.request = request;
    this.path = path;
    this.query = query;
    this.containerPath = containerPath;
    this.requestIdHeader = requestIdHeader;
  }

  /**
   * The view of {@code request}.
   *
   * @param requestIdHeader the header whose first value is the audit request id, or {@code null}
   *     for the server's own request id
   */
  public static ExchangeRequestView of(
      ServerHttpRequest request, @Nullable String requestIdHeader) {
    RequestPath requestPath = request.getPath();
    String path = requestPath.pathWithinApplication().value();
    URI uri = request.getURI();
    String fragment = uri.getRawFragment();
    if (fragment != null) {
      path = path + "#" + fragment;
    }
    return new ExchangeRequestView(
        request,
        path,
        uri.getRawQuery(),
        dispatched(requestPath.pathWithinApplication()),
        requestIdHeader);
  }

  /** The segments as PathPattern matches them: decoded once, without matrix parameters. */
  private static String dispatched(PathContainer path) {
    StringBuilder sb = new StringBuilder(path.value().length());
    for (PathContainer.Element e : path.elements()) {
      if (e instanceof PathContainer.PathSegment segment) {
        sb.append(segment.valueToMatch());
      } else {
        sb.append(e.value());
      }
    }
    return sb.toString();
  }

  @Override
  public String method() {
    return request.getMethod().name();
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
  public String containerPath() {
    return containerPath;
  }

  /** Every value of every header line with this name. */
  @Override
  public List<String> headers(String name) {
    return values(request.getHeaders(), name);
  }

  /**
   * The header's values, through {@code forEach}: {@code HttpHeaders.get} and {@code getFirst} take
   * an {@code Object} in Spring 6 and a {@code String} in Spring 7, so neither links on both.
   */
  private static List<String> values(HttpHeaders headers, String name) {
    List<String> found = new ArrayList<>(1);
    headers.forEach(
        (n, values) -> {
          if (n.equalsIgnoreCase(name)) {
            found.addAll(values);
          }
        });
    return found;
  }

  @Override
  public @Nullable String requestId() {
    if (requestIdHeader == null) {
      String id = request.getId();
      return id.isEmpty() ? null : id;
    }
    List<String> values = values(request.getHeaders(), requestIdHeader);
    return values.isEmpty() ? null : values.get(0);
  }

  @Override
  public String toString() {
    return "ExchangeRequestView{" + request.getMethod().name() + "}";
  }
}
