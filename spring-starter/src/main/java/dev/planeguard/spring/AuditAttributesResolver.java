package dev.planeguard.spring;

import dev.planeguard.AuditAttributes;
import dev.planeguard.servlet.PlaneGuardFilter;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.SyncHandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

/**
 * Gives a handler method parameter of type {@link AuditAttributes} the current request's
 * attributes, recorded in its audit entry when the response is complete: {@link Mvc} for Spring
 * MVC, {@link WebFlux} for Spring WebFlux. A request planeguard did not allow has none: the
 * parameter is then a fresh instance that nothing records. Each nested class loads only the types
 * of its own framework.
 */
final class AuditAttributesResolver {

  private AuditAttributesResolver() {}

  static boolean supports(MethodParameter parameter) {
    return parameter.getParameterType() == AuditAttributes.class;
  }

  static AuditAttributes orFresh(@Nullable AuditAttributes attributes) {
    return attributes != null ? attributes : new AuditAttributes();
  }

  /** Spring MVC: the attributes {@link PlaneGuardFilter} keeps on the request. */
  static final class Mvc implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
      return supports(parameter);
    }

    @Override
    public Object resolveArgument(
        MethodParameter parameter,
        @Nullable ModelAndViewContainer mavContainer,
        NativeWebRequest webRequest,
        @Nullable WebDataBinderFactory binderFactory) {
      HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
      return orFresh(request == null ? null : PlaneGuardFilter.auditAttributes(request));
    }
  }

  /** Spring WebFlux: the attributes {@link PlaneGuardWebFilter} keeps on the exchange. */
  static final class WebFlux implements SyncHandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
      return supports(parameter);
    }

    @Override
    public Object resolveArgumentValue(
        MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
      return orFresh(PlaneGuardWebFilter.auditAttributes(exchange));
    }
  }
}
