package dev.planeguard.webflux.internal;

import dev.planeguard.InboundRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
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
 *
 * <p>Headers are the request's as WebFlux sees them. For Spring's own request on Reactor Netty they
 * are read from Netty's header map, which Spring's read-only view wraps (the same values, found
 * faster); a request a filter replaced is read through Spring.
 */
public final class ExchangeRequestView implements InboundRequest {

  private final ServerHttpRequest request;
  private final PathContainer pathWithinApplication;
  private final String path;
  private final @Nullable String requestIdHeader;
  // The native headers when Spring's own Reactor Netty request is read; null on other servers.
  private final @Nullable NettyHeaders nettyHeaders;
  // Computed when the engine first asks: a confirmation at dispatch reads only method and path.
  private @Nullable String containerPath;

  private ExchangeRequestView(
      ServerHttpRequest request,
      PathContainer pathWithinApplication,
      String path,
      @Nullable String requestIdHeader) {
    this.request = request;
    this.pathWithinApplication = pathWithinApplication;
    this.path = path;
    this.requestIdHeader = requestIdHeader;
    // The class name is compared before anything of Netty's is touched: another server's request
    // never loads NettyHeaders, nor Netty.
    this.nettyHeaders =
        request.getClass().getName().equals(NettyHeaders.REACTOR_REQUEST)
            ? NettyHeaders.of((AbstractServerHttpRequest) request)
            : null;
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
    PathContainer within = requestPath.pathWithinApplication();
    String path = within.value();
    String fragment = request.getURI().getRawFragment();
    if (fragment != null) {
      path = path + "#" + fragment;
    }
    return new ExchangeRequestView(request, within, path, requestIdHeader);
  }

  /**
   * The segments as PathPattern matches them: decoded once, without matrix parameters. A path
   * without {@code %} and {@code ;} is its own match form (nothing to decode, no parameters), so
   * the common request is answered without building a string.
   */
  static String dispatched(PathContainer path) {
    String raw = path.value();
    if (raw.indexOf('%') < 0 && raw.indexOf(';') < 0) {
      return raw;
    }
    StringBuilder sb = new StringBuilder(raw.length());
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
    return request.getURI().getRawQuery();
  }

  @Override
  public String containerPath() {
    String c = containerPath;
    if (c == null) {
      c = dispatched(pathWithinApplication);
      containerPath = c;
    }
    return c;
  }

  /** Every value of every header line with this name. */
  @Override
  public List<String> headers(String name) {
    NettyHeaders n = nettyHeaders;
    return n != null ? n.values(name) : values(request.getHeaders(), name);
  }

  /** Whether the headers are read from Reactor Netty's own map rather than through Spring. */
  boolean readsNettyHeaders() {
    return nettyHeaders != null;
  }

  /**
   * {@code HttpHeaders.get}: it takes a {@code String} in Spring 7 and an {@code Object} in Spring
   * 6, so no single call links on both; the method is found once. Iterating every header for each
   * name instead made the server's adapter build a list per header per lookup.
   */
  private static final MethodHandle GET = headerGetter();

  private static MethodHandle headerGetter() {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    MethodType type = MethodType.methodType(List.class, String.class);
    try {
      return lookup.findVirtual(HttpHeaders.class, "get", type);
    } catch (NoSuchMethodException | IllegalAccessException spring7Absent) {
      try {
        return lookup
            .findVirtual(HttpHeaders.class, "get", MethodType.methodType(List.class, Object.class))
            .asType(MethodType.methodType(List.class, HttpHeaders.class, String.class));
      } catch (NoSuchMethodException | IllegalAccessException e) {
        throw new IllegalStateException("Spring's HttpHeaders has no get method", e);
      }
    }
  }

  /** Every value of the header (names are case-insensitive), in order; empty if none. */
  @SuppressWarnings("unchecked") // HttpHeaders.get returns List<String> in both versions
  private static List<String> values(HttpHeaders headers, String name) {
    List<String> found;
    try {
      found = (List<String>) GET.invokeExact(headers, name);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
    return found == null ? List.of() : found;
  }

  @Override
  public @Nullable String requestId() {
    if (requestIdHeader == null) {
      String id = request.getId();
      return id.isEmpty() ? null : id;
    }
    List<String> values = headers(requestIdHeader);
    return values.isEmpty() ? null : values.get(0);
  }

  @Override
  public String toString() {
    return "ExchangeRequestView{" + request.getMethod().name() + "}";
  }
}
