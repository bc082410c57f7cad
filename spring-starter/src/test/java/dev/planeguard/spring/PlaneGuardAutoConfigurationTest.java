package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Problem;
import dev.planeguard.Rule;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.test.TestIssuer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/** The auto-configuration in a web application context: beans, back-off, startup failures. */
class PlaneGuardAutoConfigurationTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static Path machineKeys;
  static Path sandboxKeys;

  @BeforeAll
  static void setUp() {
    issuer = TestIssuer.start();
    machineKeys = dir.resolve("machine.jsonl");
    sandboxKeys = dir.resolve("sandbox.jsonl");
    try (KeyFile f = KeyFile.openOrCreate(machineKeys)) {
      f.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL), null, Set.of(), null));
    }
    try (KeyFile f = KeyFile.openOrCreate(sandboxKeys)) {
      f.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL), null, Set.of(), null));
    }
  }

  @AfterAll
  static void tearDown() {
    issuer.close();
  }

  final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(PlaneGuardAutoConfiguration.class));

  WebApplicationContextRunner local() {
    return runner.withPropertyValues(
        "AOS_MODE=local",
        "DB_AUTHORITY=local",
        "planeguard.policy-location=classpath:test.policy",
        "planeguard.human.issuer=" + issuer.issuerId(),
        "planeguard.human.jwks-uri=" + issuer.jwksUri(),
        "planeguard.human.audiences=" + issuer.audience(),
        "planeguard.machine.keys-file=" + machineKeys);
  }

  @Test
  void registersTheFilterFirstForEveryDispatch() {
    local()
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Enforcer.class);
              FilterRegistrationBean<?> registration =
                  context.getBean("planeGuardFilterRegistration", FilterRegistrationBean.class);
              assertThat(registration.getOrder())
                  .isEqualTo(PlaneGuardAutoConfiguration.FILTER_ORDER)
                  .isLessThan(-100); // Spring Security's filter chain
              assertThat(registration.getUrlPatterns()).containsExactly("/*");
              assertThat(registration.determineDispatcherTypes())
                  .containsExactlyInAnyOrder(DispatcherType.values());
              assertThat(context.getBean(Enforcer.class).contract().mode()).isEqualTo(Mode.LOCAL);
              assertThat(context).hasBean("planeGuardSecurityBridge").hasBean("planeGuardMetrics");
            });
  }

  @Test
  void anEnforcerOfTheApplicationReplacesEverything() {
    local()
        .withUserConfiguration(OwnEnforcer.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(PlaneGuardSetup.class);
              assertThat(context.getBean(Enforcer.class).policy().rules())
                  .containsExactly(Rule.publicRoute("/x"));
              assertThat(context).hasBean("planeGuardFilterRegistration");
            });
  }

  @Test
  void aPolicyBeanReplacesThePolicyFile() {
    local()
        .withPropertyValues("planeguard.policy-location=classpath:does-not-exist.policy")
        .withUserConfiguration(OwnPolicy.class)
        .run(
            context ->
                assertThat(context.getBean(Enforcer.class).policy().rules())
                    .containsExactly(Rule.publicRoute("/only")));
  }

  @Test
  void integrationsBackOffWithoutTheirLibraries() {
    local()
        .withClassLoader(
            new FilteredClassLoader(
                RequestAttributeSecurityContextRepository.class, MeterRegistry.class))
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .doesNotHaveBean("planeGuardSecurityBridge")
                    .doesNotHaveBean("planeGuardMetrics"));
  }

  @Test
  void everyForbiddenProdSettingIsListedInOneFailure() {
    runner
        .withPropertyValues(
            "AOS_MODE=prod",
            "DB_AUTHORITY=local",
            "CUSTOMER_SANDBOX_ENABLED=true",
            "DEV_AUTH_ENABLED=true",
            "planeguard.policy-location=classpath:test.policy",
            "planeguard.human.issuer=https://issuer.example.test",
            "planeguard.human.jwks-uri=http://keys.example.test/jwks.json",
            "planeguard.human.audiences=api",
            "planeguard.machine.keys-file=" + machineKeys,
            "planeguard.sandbox.keys-file=" + sandboxKeys)
        .run(
            context -> {
              assertThat(context).hasFailed();
              ConfigurationException e = rootCause(context.getStartupFailure());
              List<String> subjects = e.problems().stream().map(Problem::subject).toList();
              assertThat(subjects)
                  .contains(
                      "AOS_MODE", "DB_AUTHORITY", "CUSTOMER_SANDBOX_ENABLED", "DEV_AUTH_ENABLED");
              assertThat(e.getMessage()).contains("plain http").contains("sandbox keys");
              FailureAnalysis analysis = new PlaneGuardFailureAnalyzer().analyze(e);
              for (Problem p : e.problems()) {
                assertThat(analysis.getDescription()).contains(p.subject() + ": " + p.message());
                assertThat(analysis.getAction()).contains(p.fix());
              }
            });
  }

  @Test
  void theBypassRegistryStopsStartupInProd() {
    runner
        .withPropertyValues(
            "AOS_MODE=prod",
            "DB_AUTHORITY=neon",
            "AOS_USE_LEGACY_AUTH=true",
            "RBAC_ENFORCE=false",
            "ENFORCE_TENANCY=false",
            "DEV_DEFAULT_ROLE=admin",
            "RBAC_SHADOW_AUDIT=on",
            // A switch named by a pattern (*_SHADOW_*), set as a property of the application.
            "PAYMENTS_SHADOW_MODE=true",
            "planeguard.policy-location=classpath:test.policy",
            "planeguard.human.issuer=https://issuer.example.test",
            "planeguard.human.jwks-uri=https://issuer.example.test/jwks.json",
            "planeguard.human.audiences=api",
            "planeguard.machine.keys-file=" + machineKeys)
        .run(
            context -> {
              assertThat(context).hasFailed();
              ConfigurationException e = rootCause(context.getStartupFailure());
              assertThat(e.problems())
                  .extracting(Problem::subject)
                  .contains(
                      "AOS_USE_LEGACY_AUTH",
                      "RBAC_ENFORCE",
                      "ENFORCE_TENANCY",
                      "DEV_DEFAULT_ROLE",
                      "RBAC_SHADOW_AUDIT",
                      "PAYMENTS_SHADOW_MODE");
              assertThat(e.getMessage())
                  .contains("ENFORCE_TENANCY=false switches the tenant check off")
                  .contains("forbidden with AOS_MODE=prod")
                  .doesNotContain("=admin");
            });
  }

  @Test
  void anIssuerLimitedToModesIsBoundAndATestOnlyIssuerStopsProd() {
    local()
        .withPropertyValues("planeguard.human.modes=local,test")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              JwtVerifier verifier = context.getBean(PlaneGuardSetup.class).jwtVerifier;
              assertThat(verifier.issuers())
                  .singleElement()
                  .satisfies(i -> assertThat(i.modes()).containsExactly(Mode.LOCAL, Mode.TEST));
            });
    runner
        .withPropertyValues(
            "AOS_MODE=prod",
            "DB_AUTHORITY=neon",
            "planeguard.policy-location=classpath:test.policy",
            "planeguard.human.issuer=https://issuer.example.test",
            "planeguard.human.jwks-uri=https://issuer.example.test/jwks.json",
            "planeguard.human.audiences=api",
            "planeguard.human.modes=test",
            "planeguard.machine.keys-file=" + machineKeys)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(rootCause(context.getStartupFailure()).problems())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.subject()).isEqualTo("planeguard.human.modes");
                        assertThat(p.message())
                            .startsWith(
                                "limits the issuer \"https://issuer.example.test\" to test, which"
                                    + " AOS_MODE=prod does not allow");
                        assertThat(p.fix()).endsWith("add prod to planeguard.human.modes");
                      });
            });
  }

  @Test
  void inProdAnIssuerOtherThanClerkNeedsAnAudience() {
    WebApplicationContextRunner prod =
        runner.withPropertyValues(
            "AOS_MODE=prod",
            "DB_AUTHORITY=local", // one more problem, so that the application surely fails
            "planeguard.policy-location=classpath:test.policy",
            "planeguard.human.authorized-parties=https://app.example.test",
            "planeguard.machine.keys-file=" + machineKeys);
    prod.withPropertyValues(
            "planeguard.human.issuer=https://issuer.example.test",
            "planeguard.human.jwks-uri=https://issuer.example.test/jwks.json")
        .run(
            context ->
                assertThat(rootCause(context.getStartupFailure()).problems())
                    .filteredOn(p -> p.subject().startsWith("human issuer"))
                    .containsExactly(
                        new Problem(
                            "human issuer \"https://issuer.example.test\"",
                            "no audience is configured (authorized parties name the client, not"
                                + " this API), so tokens minted for any API of this issuer would be"
                                + " accepted, which AOS_MODE=prod does not allow",
                            "configure the audience this service accepts (planeguard.human.audiences"
                                + " or planeguard.human.additional-issuers[n].audiences, or"
                                + " HumanIssuer.Builder.audiences)")));
    prod.withPropertyValues(
            "planeguard.human.issuer=https://clerk.example.test", "planeguard.human.preset=clerk")
        .run(
            context ->
                assertThat(rootCause(context.getStartupFailure()).problems())
                    .extracting(Problem::subject)
                    .contains("DB_AUTHORITY")
                    .noneMatch(subject -> subject.startsWith("human issuer")));
  }

  @Test
  void aMissingPolicyFileIsAStartupFailure() {
    local()
        .withPropertyValues("planeguard.policy-location=file:/nonexistent/planeguard.policy")
        .run(
            context ->
                assertThat(rootCause(context.getStartupFailure()).problems())
                    .extracting(Problem::subject)
                    .contains("planeguard.policy-location"));
  }

  @Test
  void theJdbcStoreNeedsADataSourceAndIsTheOnlyMachineStore() {
    local() // with planeguard.machine.keys-file
        .withPropertyValues("planeguard.machine.jdbc.enabled=true")
        .run(
            context ->
                assertThat(rootCause(context.getStartupFailure()).problems())
                    .extracting(Problem::subject)
                    .containsExactly(
                        "planeguard.machine.keys-file", "planeguard.machine.jdbc.enabled"));
    local()
        .withBean(DataSource.class, PGSimpleDataSource::new) // never connected to
        .withPropertyValues(
            "planeguard.machine.jdbc.enabled=true",
            "planeguard.machine.jdbc.table=Keys; DROP TABLE x",
            "planeguard.machine.jdbc.revocation-bound=0s",
            "planeguard.machine.jdbc.query-timeout=2h")
        .run(
            context ->
                assertThat(rootCause(context.getStartupFailure()).problems())
                    .extracting(Problem::subject)
                    .containsExactly(
                        "planeguard.machine.keys-file",
                        "planeguard.machine.jdbc.table",
                        "planeguard.machine.jdbc.revocation-bound",
                        "planeguard.machine.jdbc.query-timeout"));
  }

  @Test
  void keyUsageIsRecordedWhenTheContextClosesUnlessTurnedOff() throws Exception {
    Path keys = Files.createTempDirectory(dir, "usage").resolve("machine.jsonl");
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(keys)) {
      f.add(KeyRecord.of(key, null, Set.of(), null));
    }
    InboundRequest request =
        InboundRequest.of("POST", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key.value())));

    local()
        .withPropertyValues("planeguard.machine.keys-file=" + keys)
        .run(
            context ->
                assertThat(context.getBean(Enforcer.class).decide(request).allowed()).isTrue());
    assertThat(KeyFile.open(keys).usage()).containsOnlyKeys(key.id());

    Files.delete(keys.resolveSibling("machine.jsonl.usage"));
    local()
        .withPropertyValues(
            "planeguard.machine.keys-file=" + keys, "planeguard.record-key-usage=false")
        .run(
            context ->
                assertThat(context.getBean(Enforcer.class).decide(request).allowed()).isTrue());
    assertThat(keys.resolveSibling("machine.jsonl.usage")).doesNotExist();
  }

  @Test
  void configurationMetadataIsGenerated() throws Exception {
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(json)
          .contains(
              "\"planeguard.policy-location\"",
              "\"planeguard.human.issuer\"",
              "\"planeguard.human.jwks-uri\"",
              "\"planeguard.human.audiences\"",
              "\"planeguard.human.authorized-parties\"",
              "\"planeguard.human.algorithms\"",
              "\"planeguard.human.clock-skew\"",
              "\"planeguard.human.max-lifetime\"",
              "\"planeguard.machine.keys-file\"",
              "\"planeguard.machine.header\"",
              "\"planeguard.machine.jdbc.enabled\"",
              "\"planeguard.machine.jdbc.table\"",
              "\"planeguard.machine.jdbc.revocation-bound\"",
              "\"planeguard.machine.jdbc.listen\"",
              "\"planeguard.sandbox.header\"",
              "\"planeguard.tenant-header\"",
              "\"planeguard.export-policy\"",
              "\"planeguard.record-key-usage\"");
    }
  }

  static ConfigurationException rootCause(Throwable t) {
    Throwable c = t;
    while (c != null && !(c instanceof ConfigurationException)) {
      c = c.getCause();
    }
    assertThat(c).as("a ConfigurationException in the cause chain of %s", t).isNotNull();
    return (ConfigurationException) c;
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEnforcer {
    @Bean
    Enforcer enforcer() {
      return Enforcer.builder()
          .contract(Contract.parse(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local")))
          .policy(Policy.builder().rule(Rule.publicRoute("/x")).build())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnPolicy {
    @Bean
    Policy policy() {
      return Policy.builder().rule(Rule.publicRoute("/only")).build();
    }
  }
}
