package dev.planeguard.spring;

import dev.planeguard.AuditAttributes;
import dev.planeguard.servlet.PlaneGuardFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives a handler method parameter of type {@link AuditAttributes} the current request's
 * attributes, recorded in its audit entry when the response is complete. A request planeguard did
 * not allow has none: the parameter is then a fresh instance that nothing records.
 */
final class AuditAttributesResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == AuditAttributes.class;
  }

  @Override
  public Object resolveArgument(
      MethodParameter parameter,
      @Nullable ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      @Nullable WebDataBinderFactory binderFactory) {
    HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
    AuditAttributes attributes = request == null ? null : PlaneGuardFilter.auditAttributes(request);
    return attributes != null ? attributes : new AuditAttributes();
  }
}
