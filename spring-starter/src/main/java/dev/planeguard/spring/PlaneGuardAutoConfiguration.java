package dev.planeguard.spring;

import dev.planeguard.AuditSink;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.KeyStore;
import dev.planeguard.Policy;
import dev.planeguard.TokenVerifier;
import dev.planeguard.servlet.PlaneGuardFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * planeguard for a Spring Boot servlet application. Builds the {@link Enforcer} from {@code
 * planeguard.*} properties (see {@link PlaneGuardProperties}) and registers {@link
 * PlaneGuardFilter} first in the filter chain, ahead of Spring Security, for every dispatcher
 * type.
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

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");
  private static final String MVC_MAPPING =
      "org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping";

  PlaneGuardAutoConfiguration() {}

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(Enforcer.class)
  PlaneGuardSetup planeGuardSetup(
      PlaneGuardProperties properties,
      Environment environment,
      ResourceLoader resources,
      ListableBeanFactory beans,
      ObjectProvider<Contract> contract,
      ObjectProvider<Policy> policy,
      ObjectProvider<TokenVerifier> tokens,
      ObjectProvider<KeyStore> keys,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<PlaneGuardCustomizer> customizers) {
    List<HandlerRoute> handlers =
        ClassUtils.isPresent(MVC_MAPPING, PlaneGuardAutoConfiguration.class.getClassLoader())
            ? MvcHandlers.of(beans)
            : null;
    List<PlaneGuardCustomizer> all = customizers.orderedStream().toList();
    PlaneGuardSetup setup =
        PlaneGuardSetup.create(
            properties,
            environment,
            resources,
            new PlaneGuardSetup.Beans(
                contract.getIfUnique(),
                policy.getIfUnique(),
                tokens.getIfUnique(),
                keys.getIfUnique(),
                properties.getMachine().getJdbc().isEnabled() ? dataSource.getIfUnique() : null),
            handlers,
            all);
    LOG.info("{}", setup.routeTable());
    return setup;
  }

  @Bean
  @ConditionalOnMissingBean(Enforcer.class)
  Enforcer planeGuardEnforcer(PlaneGuardSetup setup) {
    return setup.enforcer;
  }

  @Bean
  @ConditionalOnMissingBean(name = "planeGuardFilterRegistration")
  FilterRegistrationBean<LazyFilter> planeGuardFilterRegistration(
      ObjectProvider<Enforcer> enforcer, PlaneGuardProperties properties) {
    // Not a Filter bean: Spring Boot would register a Filter bean by itself, and create it (with
    // the enforcer and its route coverage) before the handler mappings exist.
    FilterRegistrationBean<LazyFilter> registration =
        new FilterRegistrationBean<>(new LazyFilter(() -> filter(enforcer.getObject(), properties)));
    registration.setName(PlaneGuardFilter.NAME);
    registration.setOrder(FILTER_ORDER);
    registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/*");
    return registration;
  }

  private static PlaneGuardFilter filter(Enforcer enforcer, PlaneGuardProperties properties) {
    PlaneGuardFilter.Builder b = PlaneGuardFilter.builder(enforcer).realm(properties.getRealm());
    String requestId = properties.getRequestIdHeader();
    if (requestId != null) {
      b.requestIdHeader(requestId);
    }
    return b.build();
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
