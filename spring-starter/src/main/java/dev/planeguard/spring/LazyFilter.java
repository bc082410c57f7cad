package dev.planeguard.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Registers a filter with the container before the bean behind it exists. Spring Boot creates the
 * web server (and registers filters) before it creates the application's singletons, but the
 * planeguard filter needs the application's handler mappings to check route coverage and merge
 * handler annotations. The container only accepts requests after every singleton exists; the
 * delegate is obtained and initialised on the first request. If it cannot be, the request fails:
 * nothing passes an uninitialised filter.
 */
final class LazyFilter implements Filter {

  private final Supplier<Filter> delegate;
  private volatile @Nullable Filter filter;
  private volatile @Nullable FilterConfig config;

  LazyFilter(Supplier<Filter> delegate) {
    this.delegate = delegate;
  }

  @Override
  public void init(FilterConfig config) {
    this.config = config;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    Filter f = filter;
    if (f == null) {
      f = initialise();
    }
    f.doFilter(req, res, chain);
  }

  private synchronized Filter initialise() throws ServletException {
    Filter f = filter;
    if (f != null) {
      return f;
    }
    FilterConfig c = config;
    if (c == null) {
      throw new ServletException("the planeguard filter was not initialised by the container");
    }
    f = delegate.get();
    f.init(c);
    filter = f;
    return f;
  }

  @Override
  public void destroy() {
    Filter f = filter;
    if (f != null) {
      f.destroy();
    }
  }
}
