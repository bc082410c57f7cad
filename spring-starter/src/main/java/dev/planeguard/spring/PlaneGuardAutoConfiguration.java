package dev.planeguard.spring;

import dev.planeguard.AuditSink;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.PlaneGuard;
import dev.planeguard.Policy;
import dev.planeguard.RouteCoverage;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.servlet.PlaneGuardFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.handler.MappedInterceptor;

/**
 * planeguard for a Spring Boot servlet application. Builds the {@link Enforcer} from {@code
 * planeguard.*} properties (see {@link PlaneGuardProperties}) and registers {@link
 * PlaneGuardFilter} first in the filter chain, ahead of Spring Security, for every dispatcher type.
 *
 * <p>At startup the contract, tier scopes, policy, handler annotations, issuers, key stores and
 * route coverage are checked together; any problem stops the application with a report that lists
 * them all. The route → plane table is logged at INFO.
 *
 * <p>Beans the application defines take precedence: an {@link Enforcer} replaces everything
 * planeguard would build (the filter then uses it as it is); a {@link Contract}, {@link Policy},
 * {@link TokenVerifier} or {@link KeyStore} (the machine key store) replaces what the properties
 * would build; {@link PlaneGuardCustomizer}s adjust the builder.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({PlaneGuardFilter.class, FilterRegistrationBean.class})
@EnableConfigurationProperties(PlaneGuardProperties.class)
public final class PlaneGuardAutoConfiguration {

  /**
   * The order of the planeguard filter: right after Spring Boot's character encoding and
   * observation filters, before every filter that reads or rewrites the request (method override,
   * form content, request context) and before Spring Security ({@code -100}).
   */
  public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

  /** The order of the filter that hands the principal to Spring Security: just before it. */
  public static final int SECURITY_BRIDGE_ORDER = -101;

  private static final String MVC_MAPPING =
      "org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping";

  PlaneGuardAutoConfiguration() {}

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(Enforcer.class)
  PlaneGuardSetup planeGuardSetup(
      PlaneGuardProperties properties,
      Environment environment,
      ResourceLoader resources,
      ApplicationContext context,
      ObjectProvider<Contract> contract,
      ObjectProvider<Policy> policy,
      ObjectProvider<TokenVerifier> tokens,
      ObjectProvider<KeyStore> keys,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<PlaneGuardCustomizer> customizers) {
    return PlaneGuardSetup.fromBeans(
        properties,
        environment,
        resources,
        contract,
        policy,
        tokens,
        keys,
        dataSource,
        customizers,
        web(context, environment));
  }

  @Bean
  @ConditionalOnMissingBean(Enforcer.class)
  Enforcer planeGuardEnforcer(PlaneGuardSetup setup) {
    return setup.enforcer;
  }

  /**
   * The web application as planeguard must mirror it: the DispatcherServlet's path, its handlers,
   * and settings with which requests would be served otherwise than decided.
   */
  static PlaneGuardSetup.Web web(ApplicationContext context, Environment environment) {
    ServletContext servletContext =
        context instanceof WebApplicationContext w ? w.getServletContext() : null;
    DispatcherPath path = DispatcherPath.of(servletContext, environment);
    List<String> unmirrored = new ArrayList<>();
    if (path.unmirrored() != null) {
      unmirrored.add(path.unmirrored());
    }
    String management = PlaneGuardSetup.separateManagementPort(environment);
    if (management != null) {
      unmirrored.add(management);
    }
    MvcHandlers handlers = null;
    if (ClassUtils.isPresent(MVC_MAPPING, PlaneGuardAutoConfiguration.class.getClassLoader())) {
      handlers = MvcHandlers.of(context, path.prefix());
      unmirrored.addAll(handlers.unmirroredMatching());
    }
    return new PlaneGuardSetup.Web(handlers, List.copyOf(unmirrored));
  }

  @Bean
  FilterHolder planeGuardFilterHolder(
      ObjectProvider<Enforcer> enforcer, PlaneGuardProperties properties) {
    return new FilterHolder(enforcer, properties);
  }

  @Bean
  @ConditionalOnMissingBean(name = "planeGuardFilterRegistration")
  FilterRegistrationBean<LazyFilter> planeGuardFilterRegistration(FilterHolder filter) {
    // Not a Filter bean: Spring Boot would register a Filter bean by itself, and create it (with
    // the enforcer and its route coverage) before the handler mappings exist.
    FilterRegistrationBean<LazyFilter> registration =
        new FilterRegistrationBean<>(new LazyFilter(filter::get));
    registration.setName(PlaneGuardFilter.NAME);
    registration.setOrder(FILTER_ORDER);
    registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/*");
    return registration;
  }

  /**
   * Spring MVC present: every handler Spring MVC chooses is confirmed against the rule applied at
   * the edge before it runs (decision row 18).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = MVC_MAPPING)
  static final class SpringMvc {

    @Bean
    MvcDispatch planeGuardMvcDispatch(
        ObjectProvider<PlaneGuardSetup> setup,
        Enforcer enforcer,
        ApplicationContext context,
        Environment environment) {
      PlaneGuardSetup built = setup.getIfAvailable();
      if (built != null && built.handlers != null) {
        return new MvcDispatch(built.handlers, built.coverage);
      }
      // The application built its own Enforcer: its handlers are confirmed all the same.
      PlaneGuardSetup.Web web = web(context, environment);
      WebHandlers handlers = java.util.Objects.requireNonNull(web.handlers());
      RouteCoverage coverage = PlaneGuard.cover(enforcer, handlers.handlers(), web.unmirrored());
      return new MvcDispatch(handlers, coverage);
    }

    /**
     * A {@code MappedInterceptor} bean: every handler mapping of the context (controllers,
     * Actuator, static resources, view controllers, functional routes) applies it, before the
     * interceptors the application configures.
     */
    @Bean
    static MappedInterceptor planeGuardDispatchConfirmation(
        ObjectProvider<MvcDispatch> dispatch, ObjectProvider<FilterHolder> filter) {
      return new MappedInterceptor(null, new MvcDispatchConfirmation(dispatch, filter));
    }

    /** Handler methods may take an {@code AuditAttributes} parameter: the request's own. */
    @Bean
    WebMvcConfigurer planeGuardAuditAttributes() {
      return new WebMvcConfigurer() {
        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
          resolvers.add(new AuditAttributesResolver.Mvc());
        }
      };
    }
  }

  /** Spring Security present: the planeguard principal becomes the {@code Authentication}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.security.web.context.RequestAttributeSecurityContextRepository")
  static final class SpringSecurity {

    @Bean
    @ConditionalOnMissingBean(name = "planeGuardSecurityBridge")
    FilterRegistrationBean<SecurityContextBridge> planeGuardSecurityBridge() {
      FilterRegistrationBean<SecurityContextBridge> registration =
          new FilterRegistrationBean<>(new SecurityContextBridge());
      registration.setName("planeguardSecurityContext");
      registration.setOrder(SECURITY_BRIDGE_ORDER);
      registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
      registration.setAsyncSupported(true);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /** Actuator present: the {@code planeguard} endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static final class Actuator {

    @Bean
    @ConditionalOnMissingBean(PlaneGuardEndpoint.class)
    PlaneGuardEndpoint planeGuardEndpoint(
        ObjectProvider<Enforcer> enforcer, ObjectProvider<PlaneGuardSetup> setup) {
      return new PlaneGuardEndpoint(enforcer, setup);
    }
  }

  /** Spring Boot 4 health present: the {@code planeGuard} health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static final class Health {

    @Bean
    @ConditionalOnMissingBean(name = "planeGuardHealthIndicator")
    PlaneGuardHealthIndicator planeGuardHealthIndicator(ObjectProvider<PlaneGuardSetup> setup) {
      return new PlaneGuardHealthIndicator(setup);
    }
  }

  /**
   * Micrometer present: counter {@code planeguard.decisions} beside the audit log. Runs first, so
   * an application customizer that sets its own audit sink replaces both.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static final class Metrics {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    PlaneGuardCustomizer planeGuardMetrics(ObjectProvider<MeterRegistry> registry) {
      return builder -> {
        MeterRegistry r = registry.getIfAvailable();
        if (r != null) {
          DecisionMetrics metrics = new DecisionMetrics(r);
          AuditSink log = AuditSink.slf4j();
          builder.auditSink(
              event -> {
                log.record(event);
                metrics.record(event);
              });
        }
      };
    }
  }
}
