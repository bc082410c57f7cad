package dev.planeguard.spring;

import dev.planeguard.Principal;
import dev.planeguard.servlet.PlaneGuardFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Runs after planeguard and before Spring Security: hands the planeguard principal of an allowed
 * request to Spring Security through the request-attribute security context repository that Spring
 * Security's default (and stateless) configuration reads first. planeguard has already decided;
 * this only lets {@code @PreAuthorize} and {@code authenticated()} see the caller.
 */
final class SecurityContextBridge implements Filter {

  private final RequestAttributeSecurityContextRepository repository =
      new RequestAttributeSecurityContextRepository();

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (req instanceof HttpServletRequest request
        && res instanceof HttpServletResponse response
        && request.getAttribute(PlaneGuardFilter.PRINCIPAL_ATTRIBUTE) instanceof Principal p) {
      SecurityContext context = new SecurityContextImpl(new PlaneGuardAuthentication(p));
      repository.saveContext(context, request, response);
    }
    chain.doFilter(req, res);
  }
}
