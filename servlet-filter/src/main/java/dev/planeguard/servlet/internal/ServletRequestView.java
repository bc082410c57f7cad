package dev.planeguard.servlet.internal;

import dev.planeguard.InboundRequest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One dispatch of a servlet request as the engine sees it. Nothing is decoded or normalised here:
 * the raw request URI minus the application's context path is the engine's {@link #path()}, and the
 * container's decoded {@code servletPath + pathInfo} is its {@link #containerPath()}, which the
 * engine requires to equal its own single decode of the raw path.
 *
 * <p>Which request URI and servlet path belong to a dispatch (Servlet 6.0, section 9.3 and 9.4):
 *
 * <ul>
 *   <li>REQUEST, FORWARD, ERROR and ASYNC: the request's own getters. A forward, an error page and
 *       an {@code AsyncContext.dispatch} change them to the target of the dispatch (the original
 *       values move to the {@code jakarta.servlet.forward.*}, {@code error.*} and {@code async.*}
 *       attributes), so the target is decided, not the path the client asked for.
 *   <li>INCLUDE: the getters keep describing the including request; the target is in the {@code
 *       jakarta.servlet.include.*} attributes, which are read instead.
 * </ul>
 *
 * <p>If the raw URI does not begin with the context path exactly as the application declares it
 * (for example {@code /c%74x/...} or {@code /ctx;x=1/...} for context {@code /ctx}, which some
 * containers map to the context), the whole raw URI becomes the path and the container path is the
 * empty string, which never equals a decoded path: the request is refused with {@code
 * PATH_MISMATCH} (or an earlier firewall defect). A missing include attribute gives an empty path,
 * which the firewall refuses.
 */
public final class ServletRequestView implements InboundRequest {

  private final HttpServletRequest request;
  private final String path;
  private final @Nullable String query;
  private final String containerPath;
  private final @Nullable String requestIdHeader;

  private ServletRequestView(
      HttpServletRequest request,
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
   * The view of the current dispatch of {@code request}.
   *
   * @param contextPath the context path of the application the filter guards, as {@code
   *     ServletContext.getContextPath()} declares it: {@code ""} or {@code /name}
   * @param requestIdHeader the header whose first value is the audit request id, or {@code null}
   *     for the container's {@code getRequestId()}
   */
  public static ServletRequestView of(
      HttpServletRequest request, String contextPath, @Nullable String requestIdHeader) {
    String uri;
    String query;
    String servletPath;
    String pathInfo;
    if (request.getDispatcherType() == DispatcherType.INCLUDE) {
      uri = attribute(request, RequestDispatcher.INCLUDE_REQUEST_URI);
      query = attribute(request, RequestDispatcher.INCLUDE_QUERY_STRING);
      servletPath = attribute(request, RequestDispatcher.INCLUDE_SERVLET_PATH);
      pathInfo = attribute(request, RequestDispatcher.INCLUDE_PATH_INFO);
    } else {
      uri = request.getRequestURI();
      query = request.getQueryString();
      servletPath = request.getServletPath();
      pathInfo = request.getPathInfo();
    }
    if (uri == null) {
      uri = "";
    }
    String containerPath =
        (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    String path;
    int n = contextPath.length();
    if (n < uri.length() && uri.charAt(n) == '/' && uri.startsWith(contextPath)) {
      path = uri.substring(n);
    } else {
      path = uri;
      containerPath = "";
    }
    return new ServletRequestView(request, path, query, containerPath, requestIdHeader);
  }

  private static @Nullable String attribute(HttpServletRequest request, String name) {
    return request.getAttribute(name) instanceof String s ? s : null;
  }

  @Override
  public String method() {
    return request.getMethod();
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

  /** Every value of every header line with this name, from {@code getHeaders}. */
  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) {
      return List.of();
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return List.of(first);
    }
    List<String> all = new ArrayList<>(2);
    all.add(first);
    while (values.hasMoreElements()) {
      all.add(values.nextElement());
    }
    return all;
  }

  @Override
  public @Nullable String requestId() {
    if (requestIdHeader == null) {
      String id = request.getRequestId();
      return id == null || id.isEmpty() ? null : id;
    }
    return request.getHeader(requestIdHeader);
  }

  @Override
  public String toString() {
    return "ServletRequestView{" + request.getDispatcherType() + "}";
  }
}
