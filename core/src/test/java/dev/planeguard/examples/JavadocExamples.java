package dev.planeguard.examples;

import dev.planeguard.Admission;
import dev.planeguard.AuditAttributes;
import dev.planeguard.AuditLedger;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.MigrationGate;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Policy;
import dev.planeguard.RateLimit;
import dev.planeguard.Refusal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.Rule;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.secrets.Secret;
import dev.planeguard.secrets.Secrets;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The Java examples of planeguard-core's Javadoc, compiled: each region between {@code // example:
 * NAME} and {@code // end example} is the text of the Javadoc block marked {@code <!-- example:
 * NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same. What an example uses
 * without declaring it is a parameter of its method. Nothing here is run.
 */
@SuppressWarnings({"unused", "try"}) // examples show values they do not go on to use
final class JavadocExamples {

  private JavadocExamples() {}

  void enforcerBuilder(JwtVerifier jwtVerifier, KeyVerifier keyVerifier, InboundRequest request) {
    // example: Enforcer.builder
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.fromEnvironment())
            .policy(Policy.load(Path.of("planeguard.policy")))
            .tokenVerifier(jwtVerifier) // human plane
            .machineKeyVerifier(keyVerifier) // machine plane
            .build(); // throws ConfigurationException listing every problem

    Decision decision = enforcer.decide(request);
    // end example
  }

  void admission(Contract contract, Policy policy, KeyVerifier keys) {
    // example: Admission.builder
    Admission admission =
        Admission.builder()
            .callerLimit(
                RateLimit.perMinute(600).withBurst(900)) // every caller without a limit of its own
            .tenantLimit(RateLimit.perMinute(6000)) // every tenant...
            .tenantLimit("acme", RateLimit.perMinute(60_000)) // ...but this one
            .tenantBudgetCents(5_000L) // per tenant and UTC day
            .build();
    Enforcer enforcer =
        Enforcer.builder()
            .contract(contract)
            .policy(policy)
            .machineKeyVerifier(keys)
            .admission(admission)
            .build();
    // end example
  }

  void auditLedger(Contract contract, Policy policy, KeyVerifier keyVerifier)
      throws java.io.IOException {
    // example: AuditLedger.file
    AuditLedger ledger = AuditLedger.file(Path.of("/var/lib/app/audit/ledger.jsonl")).open();
    Enforcer enforcer =
        Enforcer.builder()
            .contract(contract)
            .policy(policy)
            .machineKeyVerifier(keyVerifier)
            .auditLedger(ledger) // every decision, allows included
            .build();
    // on shutdown: ledger.close() writes what is queued
    // end example
  }

  void auditAttributes(AuditAttributes attributes) {
    // example: AuditAttributes
    attributes
        .purpose("summarize")
        .model("claude-sonnet")
        .inputTokens(1200)
        .outputTokens(310)
        .costCents(2)
        .success(true);
    // end example
  }

  void auditLedgerJdbc(
      DataSource dataSource, Contract contract, Policy policy, KeyVerifier keyVerifier)
      throws java.io.IOException {
    // example: AuditLedger.jdbc
    AuditLedger ledger = AuditLedger.jdbc(dataSource, "web-1").open(); // connects when writing
    Enforcer enforcer =
        Enforcer.builder()
            .contract(contract)
            .policy(policy)
            .machineKeyVerifier(keyVerifier)
            .auditLedger(ledger)
            .build();
    // later, anywhere: AuditLedger.verify(dataSource, "web-1")
    // end example
  }

  void routeCoverage(
      Policy filePolicy,
      List<RouteCoverage.Handler> handlers,
      Enforcer.Builder builder,
      InboundRequest request,
      Decision admitted,
      int handlerIndex) {
    // example: RouteCoverage.of
    // handlers: every handler of the framework, described once at startup
    Policy policy = RouteCoverage.policy(filePolicy, handlers); // file + annotations
    Enforcer enforcer = builder.policy(policy).build(); // builder: contract, verifiers
    RouteCoverage coverage = RouteCoverage.of(enforcer.policy(), handlers);
    // at dispatch, with the decision the engine made at the edge:
    Decision confirmed = enforcer.confirm(request, admitted, coverage.entry(handlerIndex));
    // end example
  }

  void jwtVerifier(Contract contract, Policy policy) {
    // example: JwtVerifier.builder
    JwtVerifier verifier =
        JwtVerifier.builder()
            .issuer(HumanIssuer.oidc("https://login.example.com").audiences("orders").build())
            .mode(contract.mode())
            .build();
    Enforcer enforcer =
        Enforcer.builder().contract(contract).policy(policy).tokenVerifier(verifier).build();
    // end example
  }

  void refusal(Enforcer enforcer, InboundRequest request) {
    // example: Refusal.of
    Decision decision = enforcer.decide(request);
    if (!decision.allowed()) {
      Refusal refusal = Refusal.of(decision, "api", enforcer.machineKeyHeader());
      // status, then every header, then the body
    }
    // end example
  }

  void rules() {
    // example: Rule.factories
    Policy policy =
        Policy.builder()
            .rule(Rule.human("/api/v1/accounts/**"))
            .rule(
                Rule.machine("/api/v1/runs/**").withScopes("runs:write").withMethods("POST", "PUT"))
            .rule(Rule.publicRoute("/healthz"))
            .rule(Rule.publicRoute("/api/v1/accounts/signup").withCarveOut())
            .rule(Rule.debug("/__debug/**", Plane.HUMAN))
            .rule(Rule.deny("/api/v1/accounts/export"))
            .build();
    // end example
  }

  void humanIssuers() {
    // example: HumanIssuer.builders
    HumanIssuer okta =
        HumanIssuer.oidc("https://example.okta.com/oauth2/default")
            .audiences("api://orders")
            .build();
    HumanIssuer clerk =
        HumanIssuer.clerk("https://clerk.example.com")
            .authorizedParties("https://app.example.com")
            .build();
    HumanIssuer own =
        HumanIssuer.builder("https://auth.example.com")
            .jwksUri(URI.create("https://auth.example.com/keys"))
            .audiences("orders")
            .build();
    // end example
  }

  void secrets(Contract contract) {
    // example: Secrets.fromEnvironment
    Secrets secrets = Secrets.fromEnvironment(contract.mode());
    Optional<Secret> hs = secrets.require("PLANEGUARD_HUMAN_HS_SECRET");
    Optional<Secret> pepper = secrets.find("PLANEGUARD_KEY_PEPPER");
    secrets.check(); // throws ConfigurationException listing every violation
    // end example
  }

  void migrationGate(DataSource dataSource) throws SQLException {
    // example: MigrationGate.requireAllowed
    MigrationGate gate = MigrationGate.fromEnvironment();
    try (Connection c = dataSource.getConnection()) {
      gate.requireAllowed(c); // throws ConfigurationException listing every refusal
    }
    // end example
  }

  void contract() {
    // example: Contract.fromEnvironment
    Contract contract = Contract.fromEnvironment(); // AOS_MODE, DB_AUTHORITY, ...
    if (contract.mode() == Mode.PROD) {
      // ...
    }
    // end example
  }

  void settings() {
    // example: PlaneGuardSettings.fromEnvironment
    PlaneGuard planeguard =
        PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(System.getenv()).build());
    Enforcer enforcer = planeguard.enforcer(); // for the adapter: new PlaneGuardFilter(enforcer)
    // end example
  }

  void jdbcKeyStore(DataSource dataSource) {
    // example: JdbcKeyStore.builder
    JdbcKeyStore keys =
        JdbcKeyStore.builder(dataSource)
            .revocationBound(Duration.ofSeconds(5)) // the default
            .listenForChanges() // PostgreSQL LISTEN/NOTIFY: evict at once
            .build();
    KeyVerifier verifier = KeyVerifier.of(keys);
    // end example
  }

  void keyLifecycle() {
    // example: KeyLifecycle.of
    try (KeyFile file = KeyFile.openOrCreate(Path.of("keys.jsonl"))) {
      KeyLifecycle keys = KeyLifecycle.of(file);
      KeyLifecycle.Issued issued =
          keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null);
      String plaintext = issued.key().value(); // hand it over this once; only its hash is stored

      keys.rotate(issued.record().id(), KeyLifecycle.DEFAULT_GRACE); // successor; old key for 48 h
      keys.revoke(issued.record().id()); // at once
    }
    // end example
  }
}
