package dev.planeguard.spring;

import dev.planeguard.AuditLedger;
import dev.planeguard.Problem;
import dev.planeguard.keys.KeyFile;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of what planeguard depends on: {@code DOWN} when an issuer's keys cannot be obtained
 * (those tokens get 503), the machine key file's last reload failed (the last good set is still
 * used), or the audit ledger cannot take entries (allowed requests get 503 in preprod and prod).
 * Details name the issuers, the file problem and the ledger; never a key or token. Spring Boot 4.
 */
final class PlaneGuardHealthIndicator implements HealthIndicator {

  private final ObjectProvider<PlaneGuardSetup> setups;

  PlaneGuardHealthIndicator(ObjectProvider<PlaneGuardSetup> setups) {
    this.setups = setups;
  }

  @Override
  public Health health() {
    PlaneGuardSetup setup = setups.getIfAvailable();
    if (setup == null) {
      return Health.unknown().build();
    }
    List<String> issuers =
        setup.jwtVerifier == null ? List.of() : setup.jwtVerifier.unavailableIssuers();
    Problem keyFile = setup.machineKeys instanceof KeyFile file ? file.problem() : null;
    AuditLedger ledger = setup.planeguard.ledger();
    boolean ledgerDown = ledger != null && !ledger.accepting();
    Health.Builder health =
        issuers.isEmpty() && keyFile == null && !ledgerDown ? Health.up() : Health.down();
    if (ledger != null) {
      health.withDetail(
          "auditLedger",
          ledgerDown ? "cannot take entries" : ledger.failing() ? "retrying writes" : "writing");
    }
    if (!issuers.isEmpty()) {
      health.withDetail("unavailableIssuers", issuers);
    }
    if (keyFile != null) {
      health.withDetail("machineKeyFile", keyFile.toString());
    }
    return health.build();
  }
}
