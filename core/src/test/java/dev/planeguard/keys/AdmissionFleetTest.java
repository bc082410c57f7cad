package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Admission;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Policy;
import dev.planeguard.RateLimit;
import dev.planeguard.Reason;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Rate limits shared by a fleet: two nodes (two enforcers, each with its own key store and
 * admission) over one embedded PostgreSQL, as two processes of a service would be.
 */
class AdmissionFleetTest {

  static final Policy POLICY = Policy.parse("machine /runs/**\n", "fleet.policy");

  /** A data source that counts connections and can be made to fail, as a database outage would. */
  static final class Flaky implements DataSource {
    final DataSource target;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicBoolean down = new AtomicBoolean();

    Flaky(DataSource target) {
      this.target = target;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (down.get()) {
        throw new SQLException("connection refused", "08001");
      }
      connections.incrementAndGet();
      return target.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return target.isWrapperFor(iface);
    }
  }

  static DataSource databaseWithLimits() throws Exception {
    DataSource ds = PostgresKeyTables.newDatabase();
    PostgresKeyTables.execute(
        ds,
        PostgresKeyTables.resource("dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql"));
    return ds;
  }

  final AtomicLong ticks = new AtomicLong();

  Enforcer node(DataSource keys, DataSource counts, long allowance) {
    JdbcKeyStore store = JdbcKeyStore.builder(keys).ticker(ticks::get).build();
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(POLICY)
        .machineKeyVerifier(KeyVerifier.of(store))
        .auditSink(e -> {})
        .admission(
            Admission.builder()
                .jdbc(counts, null)
                .localAllowance(allowance)
                .maxDelay(Duration.ofSeconds(60))
                .clock(
                    java.time.Clock.fixed(
                        Instant.parse("2026-12-06T10:00:00Z"), java.time.ZoneOffset.UTC))
                .build())
        .build();
  }

  static InboundRequest run(ApiKey key) {
    return InboundRequest.of("GET", "/runs/1", Map.of("X-AOS-Key", List.of(key.value())));
  }

  @Test
  void twoNodesShareOneKeysLimitWithinTheDocumentedOvershootAndFarFewerRoundTrips()
      throws Exception {
    DataSource ds = databaseWithLimits();
    Flaky counts = new Flaky(ds);
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    JdbcKeyStore admin = JdbcKeyStore.builder(ds).build();
    admin.add(
        KeyRecord.of(key, "acme", Set.of(), null)
            .withLimits(new KeyLimits(RateLimit.parse("100/1d"), 1000L, Duration.ofDays(30))));
    // The limits went through the table's columns.
    assertThat(admin.findById(key.id()).limits())
        .isEqualTo(new KeyLimits(RateLimit.parse("100/1d"), 1000L, Duration.ofDays(30)));

    long allowance = 10;
    Enforcer a = node(ds, counts, allowance);
    Enforcer b = node(ds, counts, allowance);
    int allowed = 0;
    int limited = 0;
    for (int i = 0; i < 300; i++) {
      Decision d = (i % 2 == 0 ? a : b).decide(run(key));
      if (d.reason() == Reason.AUTHENTICATED) {
        allowed++;
      } else {
        assertThat(d.reason()).isEqualTo(Reason.RATE_LIMITED);
        assertThat(d.detail()).isEqualTo(Detail.KEY_LIMIT);
        limited++;
      }
    }
    // The documented bound: the limit, plus at most the local allowance of each node.
    assertThat(allowed).isBetween(100, 100 + 2 * (int) allowance);
    assertThat(limited).isEqualTo(300 - allowed);
    // Steady traffic costs far fewer than one round trip per request.
    assertThat(counts.connections.get()).isLessThan(300 / 3);
  }

  @Test
  void withoutAnAllowanceTwoNodesNeverOvershoot() throws Exception {
    DataSource ds = databaseWithLimits();
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    JdbcKeyStore.builder(ds)
        .build()
        .add(
            KeyRecord.of(key, "acme", Set.of(), null)
                .withLimits(new KeyLimits(RateLimit.parse("20/1d"), 30L, null)));
    Enforcer a = node(ds, ds, 0);
    Enforcer b = node(ds, ds, 0);
    int allowed = 0;
    for (int i = 0; i < 60; i++) {
      if ((i % 2 == 0 ? a : b).decide(run(key)).allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(20);
  }

  @Test
  void aRevokedKeyIsRefusedAsRevokedWhateverItsLimitsSay() throws Exception {
    DataSource ds = databaseWithLimits();
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    JdbcKeyStore admin = JdbcKeyStore.builder(ds).build();
    admin.add(
        KeyRecord.of(key, "acme", Set.of(), null)
            .withLimits(new KeyLimits(RateLimit.parse("2/1d"), null, null)));
    Enforcer a = node(ds, ds, 0);
    Enforcer b = node(ds, ds, 0);
    assertThat(a.decide(run(key)).allowed()).isTrue();
    assertThat(b.decide(run(key)).allowed()).isTrue();
    assertThat(a.decide(run(key)).reason()).isEqualTo(Reason.RATE_LIMITED);
    admin.revoke(key.id());
    // Past the revocation bound of both nodes' caches.
    ticks.addAndGet(JdbcKeyStore.DEFAULT_REVOCATION_BOUND.toNanos() + 1);
    assertThat(a.decide(run(key)).reason()).isEqualTo(Reason.REVOKED_KEY);
    assertThat(b.decide(run(key)).reason()).isEqualTo(Reason.REVOKED_KEY);
  }

  @Test
  void aDatabaseOutageRefusesLimitedCallersWith503AndHealsOnItsOwn() throws Exception {
    DataSource ds = databaseWithLimits();
    Flaky counts = new Flaky(ds);
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey unlimited = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    JdbcKeyStore admin = JdbcKeyStore.builder(ds).build();
    admin.add(
        KeyRecord.of(key, "acme", Set.of(), null)
            .withLimits(new KeyLimits(RateLimit.parse("1000/1d"), null, null)));
    admin.add(KeyRecord.of(unlimited, "acme", Set.of(), null));
    Enforcer a = node(ds, counts, 5);
    assertThat(a.decide(run(key)).allowed()).isTrue();

    counts.down.set(true);
    Decision refused = null;
    for (int i = 0; i < 20 && refused == null; i++) {
      Decision d = a.decide(run(key));
      if (!d.allowed()) {
        refused = d;
      }
    }
    // Within the local allowance the node goes on; then it cannot write, and refuses.
    assertThat(refused).isNotNull();
    assertThat(refused.reason()).isEqualTo(Reason.VERIFIER_UNAVAILABLE);
    assertThat(refused.detail()).isEqualTo(Detail.LIMITS_UNAVAILABLE);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.retryAfterSeconds()).isEqualTo(5);
    // A caller without limits does not need the counts.
    assertThat(a.decide(run(unlimited)).allowed()).isTrue();

    counts.down.set(false);
    assertThat(a.decide(run(key)).allowed()).isTrue();
  }

  @Test
  void startupRefusesASharedTableThatIsNotThere() throws Exception {
    DataSource ds = PostgresKeyTables.newDatabase(); // V1 and V2, not V4
    PlaneGuardSettings settings =
        PlaneGuardSettings.builder()
            .environment(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"))
            .policy(POLICY)
            .machineKeyStore(KeyStore.inMemory())
            .rateLimits(
                new PlaneGuardSettings.RateLimits(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of(),
                    Map.of(),
                    new PlaneGuardSettings.RateLimitsJdbc(ds, null, null)))
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PlaneGuard.assemble(settings))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(
            t ->
                assertThat(((ConfigurationException) t).problems())
                    .anySatisfy(
                        p -> {
                          assertThat(p.subject()).isEqualTo("planeguard.rate-limit.jdbc.table");
                          assertThat(p.message())
                              .isEqualTo(
                                  "cannot read the shared rate-limit table planeguard_rate_limits"
                                      + " (SQLState 42P01: the table does not exist)");
                          assertThat(p.fix())
                              .startsWith(
                                  "apply dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql");
                        }));
  }
}
