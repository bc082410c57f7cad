package dev.planeguard.spring;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * Where the DispatcherServlet sits in the application, read from the servlet container's own
 * registrations (so a mapping the application registers itself counts too), else from {@code
 * spring.mvc.servlet.path}. Spring MVC matches handler patterns below that path; the policy matches
 * the whole context-relative path, so the prefix goes in front of every handler pattern.
 *
 * @param prefix {@code ""} for {@code /} and {@code /*}, {@code /svc} for {@code /svc/*}
 * @param unmirrored a mapping planeguard cannot put in front of patterns ({@code *.do}, an exact
 *     path, several DispatcherServlets), or {@code null}
 */
record DispatcherPath(String prefix, @Nullable String unmirrored) {

  static final String DISPATCHER_SERVLET = "org.springframework.web.servlet.DispatcherServlet";

  static DispatcherPath of(@Nullable ServletContext context, Environment environment) {
    List<Collection<String>> mappings = new ArrayList<>();
    if (context != null) {
      ClassLoader loader = DispatcherPath.class.getClassLoader();
      for (ServletRegistration r : context.getServletRegistrations().values()) {
        if (isDispatcherServlet(r.getClassName(), loader)) {
          mappings.add(r.getMappings());
        }
      }
    }
    if (mappings.isEmpty()) {
      String property = environment.getProperty("spring.mvc.servlet.path", "/");
      return fromMapping(
          property.endsWith("/*")
              ? property
              : property.endsWith("/") ? property + "*" : property + "/*");
    }
    if (mappings.size() > 1) {
      return new DispatcherPath(
          "", "the application registers " + mappings.size() + " DispatcherServlets");
    }
    Collection<String> only = mappings.get(0);
    if (only.size() != 1) {
      return new DispatcherPath("", "the DispatcherServlet is mapped to " + only);
    }
    return fromMapping(only.iterator().next());
  }

  private static DispatcherPath fromMapping(String mapping) {
    if (mapping.equals("/") || mapping.equals("/*") || mapping.isEmpty()) {
      return new DispatcherPath("", null);
    }
    if (mapping.startsWith("/")
        && mapping.endsWith("/*")
        && mapping.indexOf('*') == mapping.length() - 1) {
      return new DispatcherPath(mapping.substring(0, mapping.length() - 2), null);
    }
    return new DispatcherPath("", "the DispatcherServlet is mapped to " + mapping);
  }

  private static boolean isDispatcherServlet(
      @Nullable String className, @Nullable ClassLoader loader) {
    if (className == null) {
      return false;
    }
    if (className.equals(DISPATCHER_SERVLET)) {
      return true;
    }
    try {
      Class<?> dispatcher = Class.forName(DISPATCHER_SERVLET, false, loader);
      return dispatcher.isAssignableFrom(Class.forName(className, false, loader));
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
