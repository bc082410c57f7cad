package dev.planeguard.spring;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.ContractSpec;
import dev.planeguard.Enforcer;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.Policy;
import dev.planeguard.Problem;
import dev.planeguard.RouteCoverage;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.webflux.DispatchConfirmation;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import dev.planeguard.webflux.WebFluxHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * planeguard for a Spring Boot WebFlux application. With {@code planeguard-webflux} on the class
 * path: the same {@code planeguard.*} properties and the same startup as a servlet application
 * ({@link PlaneGuardSetup}, so the same checks and messages), {@link PlaneGuardWebFilter} first
 * among the web filters, {@link DispatchConfirmation} confirming every handler WebFlux chooses
 * (decision row 18), {@code AuditAttributes} handler-method parameters, the Actuator endpoint, the
 * health indicator, the Micrometer counter, and the planeguard principal handed to Spring
 * Security's reactive security context.
 *
 * <p>Without {@code planeguard-webflux} nothing would guard the routes: startup stops in preprod
 * and prod (and when {@code AOS_MODE} is missing or invalid) naming the dependency to add, and a
 * warning is logged in local and test.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public final class PlaneGuardReactiveAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  /** The class whose presence means planeguard-webflux is on the class path. */
  static final String WEB_FILTER = "dev.planeguard.webflux.PlaneGuardWebFilter";

  PlaneGuardReactiveAutoConfiguration() {}

  /** planeguard-webflux is missing: checked when the context starts. */
  static final class Unguarded {}

  /** planeguard-webflux is missing. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass(WEB_FILTER)
  static final class WithoutAdapter {

    @Bean
    static Unguarded planeGuardReactiveCheck(Environment environment) {
      String variable = ContractSpec.standard().modeVariable();
      String value = PlaneGuardSetup.contractEnvironment(environment).get(variable);
      @Nullable Mode mode = value == null ? null : Mode.parse(value.strip());
      if (mode == null || mode.isProductionLike()) {
        throw new ConfigurationException(
            "planeguard cannot start",
            List.of(
                new Problem(
                    "reactive web application",
                    "planeguard-webflux is not on the class path, so the routes of this Spring"
                        + " WebFlux application would run unguarded"
                        + (mode == null
                            ? " (" + variable + " is not a known mode)"
                            : " in " + mode),
                    "add the dependency dev.planeguard:planeguard-webflux (the same version as"
                        + " planeguard-spring-boot-starter)")));
      }
      LOG.warn(
          "planeguard: this is a Spring WebFlux application without planeguard-webflux: its"
              + " routes run without planeguard's checks, and it will not start in preprod or"
              + " prod; add the dependency dev.planeguard:planeguard-webflux");
      return new Unguarded();
    }
  }

  /** planeguard-webflux is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = WEB_FILTER)
  @EnableConfigurationProperties(PlaneGuardProperties.class)
  @Import({
    PlaneGuardAutoConfiguration.Actuator.class,
    PlaneGuardAutoConfiguration.Health.class,
    PlaneGuardAutoConfiguration.Metrics.class
  })
  static final class WebFlux {

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

    @Bean
    @ConditionalOnMissingBean(PlaneGuardWebFilter.class)
    PlaneGuardWebFilter planeGuardWebFilter(Enforcer enforcer, PlaneGuardProperties properties) {
      PlaneGuardWebFilter.Builder b =
          PlaneGuardWebFilter.builder(enforcer).realm(properties.getRealm());
      String requestId = properties.getRequestIdHeader();
      if (requestId != null) {
        b.requestIdHeader(requestId);
      }
      return b.build();
    }

    /**
     * Every handler WebFlux chooses is confirmed before it runs. Static, and resolving its
     * collaborators on the first request: {@code DispatcherHandler} collects its adapters before
     * the handler mappings planeguard reads exist.
     */
    @Bean
    static DispatchConfirmation planeGuardDispatchConfirmation(
        ObjectProvider<PlaneGuardWebFilter> filter,
        ObjectProvider<PlaneGuardSetup> setup,
        ObjectProvider<Enforcer> enforcer,
        ApplicationContext context,
        Environment environment) {
      // DispatchConfirmation asks both suppliers once, on its first request, under its own lock.
      List<FluxDispatch> dispatch = new ArrayList<>(1);
      Supplier<FluxDispatch> resolved =
          () -> {
            if (dispatch.isEmpty()) {
              dispatch.add(FluxDispatch.of(setup, enforcer, context, environment));
            }
            return dispatch.get(0);
          };
      return new DispatchConfirmation(
          filter::getObject, () -> resolved.get().handlers(), () -> resolved.get().coverage());
    }

    /** Handler methods may take an {@code AuditAttributes} parameter: the exchange's own. */
    @Bean
    WebFluxConfigurer planeGuardAuditAttributes() {
      return new WebFluxConfigurer() {
        @Override
        public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
          configurer.addCustomResolver(new AuditAttributesResolver.WebFlux());
        }
      };
    }

    /** Spring Security's reactive classes present: the principal becomes the Authentication. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = {
          "org.springframework.security.core.context.ReactiveSecurityContextHolder",
          "org.springframework.security.web.server.WebFilterChainProxy"
        })
    static final class SpringSecurity {

      @Bean
      @ConditionalOnMissingBean(name = "planeGuardReactiveSecurityBridge")
      ReactiveSecurityBridge planeGuardReactiveSecurityBridge() {
        return new ReactiveSecurityBridge();
      }
    }
  }

  /** WebFlux's handlers and what each may run under, for the confirmation at dispatch. */
  record FluxDispatch(WebFluxHandlers handlers, RouteCoverage coverage) {

    static FluxDispatch of(
        ObjectProvider<PlaneGuardSetup> setup,
        ObjectProvider<Enforcer> enforcer,
        ApplicationContext context,
        Environment environment) {
      PlaneGuardSetup built = setup.getIfAvailable();
      if (built != null && built.handlers instanceof FluxHandlers h) {
        return new FluxDispatch(h.webflux(), built.coverage);
      }
      // The application built its own Enforcer: its handlers are confirmed all the same.
      PlaneGuardSetup.Web web = web(context, environment);
      FluxHandlers h = (FluxHandlers) Objects.requireNonNull(web.handlers());
      return new FluxDispatch(
          h.webflux(), PlaneGuard.cover(enforcer.getObject(), h.handlers(), web.unmirrored()));
    }
  }

  /** WebFlux's handlers and the settings planeguard cannot mirror. */
  static PlaneGuardSetup.Web web(ApplicationContext context, Environment environment) {
    WebFluxHandlers handlers = WebFluxHandlers.of(context);
    List<String> unmirrored = new ArrayList<>(handlers.unmirrored());
    String management = PlaneGuardSetup.separateManagementPort(environment);
    if (management != null) {
      unmirrored.add(management);
    }
    return new PlaneGuardSetup.Web(new FluxHandlers(handlers), List.copyOf(unmirrored));
  }
}
