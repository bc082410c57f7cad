package dev.planeguard.jaxrs.internal;

import dev.planeguard.InboundRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Jakarta REST request as the engine sees it. Nothing is decoded or normalised here: {@link
 * #path()} is the raw path of {@code getRequestUri()} relative to the context root (the base URI
 * without the application path), and {@link #containerPath()} is the application path followed by
 * the runtime's decoded {@code UriInfo.getPath()}, the path it matches resources on; the engine
 * requires the two to agree.
 *
 * <p>If the raw path does not begin with the context root exactly as the base URI spells it, or the
 * base URI does not end with the application path, the whole raw path becomes the path and the
 * container path is empty, which never equals a decoded path: the request is refused ({@code
 * PATH_MISMATCH}, or an earlier firewall defect).
 */
public final class JaxrsRequestView implements InboundRequest {

  private final ContainerRequestContext request;
  private final String method;
  private final String path;
  private final @Nullable String query;
  private final String containerPath;
  private final @Nullable String requestIdHeader;

  private JaxrsRequestView(
      ContainerRequestContext request,
      String method,
      String path,
      @Nullable String query,
      String containerPath,
      @Nullable String requestIdHeader) {
    this.request = request;
    this.method = method;
    this.path = path;
    this.query = query;
    this.containerPath = containerPath;
    this.requestIdHeader = requestIdHeader;
  }

  /**
   * The view of {@code request} as it stands now (a pre-matching filter may have changed its method
   * or URI).
   *
   * @param applicationPath the application path of the resource model, {@code ""} or {@code /api}
   */
  public static JaxrsRequestView of(
      ContainerRequestContext request, String applicationPath, @Nullable String requestIdHeader) {
    return of(request, request.getMethod(), applicationPath, requestIdHeader);
  }

  /**
   * The view of {@code request} with the method the client sent: Jersey serves a {@code HEAD} with
   * a {@code GET} resource method by changing the request's method to {@code GET}, but the request
   * is still a {@code HEAD} (no body goes out), and is decided as one.
   */
  public static JaxrsRequestView of(
      ContainerRequestContext request,
      String method,
      String applicationPath,
      @Nullable String requestIdHeader) {
    UriInfo uri = request.getUriInfo();
    URI target = uri.getRequestUri();
    String raw = target.getRawPath() == null ? "" : target.getRawPath();
    String base = uri.getBaseUri().getRawPath();
    if (base == null) {
      base = "";
    }
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String relative = uri.getPath(true);
    String containerPath = applicationPath + (relative.startsWith("/") ? relative : "/" + relative);
    String path;
    if (base.endsWith(applicationPath)) {
      String root = base.substring(0, base.length() - applicationPath.length());
      if (raw.length() > root.length()
          && raw.startsWith(root)
          && raw.charAt(root.length()) == '/') {
        path = raw.substring(root.length());
      } else {
        path = raw;
        containerPath = "";
      }
    } else {
      path = raw;
      containerPath = "";
    }
    return new JaxrsRequestView(
        request, method, path, target.getRawQuery(), containerPath, requestIdHeader);
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
  public String containerPath() {
    return containerPath;
  }

  /** Every value of every header line with this name. */
  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().get(name);
    return values == null ? List.of() : List.copyOf(values);
  }

  @Override
  public @Nullable String requestId() {
    if (requestIdHeader == null) {
      return null;
    }
    List<String> values = request.getHeaders().get(requestIdHeader);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  @Override
  public String toString() {
    return "JaxrsRequestView{" + method + "}";
  }
}
