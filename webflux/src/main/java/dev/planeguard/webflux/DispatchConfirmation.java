package dev.planeguard.webflux;

import static java.util.Objects.requireNonNull;

import dev.planeguard.RouteCoverage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.web.reactive.HandlerAdapter;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Confirms every handler WebFlux chose before it runs (decision row 18): a {@link HandlerAdapter}
 * bean of the highest precedence, which {@code DispatcherHandler} therefore asks first for every
 * handler, whatever mapping chose it (annotated controllers, functional routes, Actuator, static
 * resources). It confirms the handler with {@link PlaneGuardWebFilter#confirm} and then hands it to
 * the adapter that would have run it otherwise.
 *
 * <p>Why an adapter: {@code DispatcherHandler} calls it with the exchange as WebFlux dispatches it
 * (after every {@code WebFilter}, so with the method a {@code HiddenHttpMethodFilter} chose) and
 * the handler every mapping's own matching chose, after CORS and pre-flight handling, at the last
 * point before application code runs. WebFlux has no handler interceptors, and decorating the
 * handler mappings would change the types other beans look them up by; this adds one bean and
 * replaces nothing.
 *
 * <p>Its collaborators are obtained on the first request: the handler mappings must exist before
 * the handlers can be read, and the {@code DispatcherHandler} collects its adapters earlier.
 */
public final class DispatchConfirmation
    implements HandlerAdapter, Ordered, ApplicationContextAware {

  private final Supplier<PlaneGuardWebFilter> filter;
  private final Supplier<WebFluxHandlers> handlers;
  private final Supplier<RouteCoverage> coverage;
  private volatile @Nullable Resolved resolved;
  private @Nullable ApplicationContext context;

  private record Resolved(
      PlaneGuardWebFilter filter,
      WebFluxHandlers handlers,
      RouteCoverage coverage,
      List<HandlerAdapter> adapters) {}

  /**
   * Each supplier is called once, on the first request.
   *
   * @param filter the application's planeguard filter
   * @param handlers the application's handlers, as given to the coverage
   * @param coverage their coverage under the filter's enforcer ({@code PlaneGuard.coverage()} or
   *     {@code PlaneGuard.cover})
   */
  public DispatchConfirmation(
      Supplier<PlaneGuardWebFilter> filter,
      Supplier<WebFluxHandlers> handlers,
      Supplier<RouteCoverage> coverage) {
    this.filter = requireNonNull(filter, "filter");
    this.handlers = requireNonNull(handlers, "handlers");
    this.coverage = requireNonNull(coverage, "coverage");
  }

  /** Set by the application context; the other adapters are read from it. */
  @Override
  public void setApplicationContext(ApplicationContext context) {
    this.context = context;
  }

  /** First among the adapters. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  /** Every handler: one no other adapter supports fails in {@link #handle}, as WebFlux would. */
  @Override
  public boolean supports(Object handler) {
    return true;
  }

  @Override
  public Mono<HandlerResult> handle(ServerWebExchange exchange, Object handler) {
    Resolved r = resolve();
    HandlerAdapter adapter = null;
    for (HandlerAdapter a : r.adapters()) {
      if (a.supports(handler)) {
        adapter = a;
        break;
      }
    }
    if (adapter == null) {
      return Mono.error(new IllegalStateException("No HandlerAdapter for " + handler));
    }
    // Confirmed in place: the handler's own chain is returned as it is, with no reactive step of
    // planeguard's between WebFlux and the handler.
    Mono<Void> refusal =
        r.filter().refusalAtDispatch(exchange, r.handlers().entry(r.coverage(), handler));
    return refusal == null ? adapter.handle(exchange, handler) : refusal.then(Mono.empty());
  }

  private Resolved resolve() {
    Resolved r = resolved;
    if (r == null) {
      synchronized (this) {
        r = resolved;
        if (r == null) {
          ApplicationContext c = context;
          if (c == null) {
            throw new IllegalStateException(
                "DispatchConfirmation must be a bean of the application context");
          }
          List<HandlerAdapter> adapters = new ArrayList<>();
          for (HandlerAdapter a :
              BeanFactoryUtils.beansOfTypeIncludingAncestors(c, HandlerAdapter.class, true, false)
                  .values()) {
            if (!(a instanceof DispatchConfirmation)) {
              adapters.add(a);
            }
          }
          AnnotationAwareOrderComparator.sort(adapters);
          r =
              new Resolved(
                  requireNonNull(filter.get(), "filter"),
                  requireNonNull(handlers.get(), "handlers"),
                  requireNonNull(coverage.get(), "coverage"),
                  List.copyOf(adapters));
          resolved = r;
        }
      }
    }
    return r;
  }

  @Override
  public String toString() {
    return "DispatchConfirmation";
  }
}
