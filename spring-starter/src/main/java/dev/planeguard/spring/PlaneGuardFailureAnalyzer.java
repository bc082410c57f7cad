package dev.planeguard.spring;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Problem;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints a planeguard startup failure as Spring Boot's failure report: every problem, each with
 * what to do about it.
 */
final class PlaneGuardFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, ConfigurationException cause) {
    String message = cause.getMessage();
    String summary = message == null ? "" : message.lines().findFirst().orElse("");
    StringBuilder description =
        new StringBuilder(summary.isEmpty() ? "planeguard cannot start" : summary);
    StringBuilder action = new StringBuilder("Fix each problem:\n");
    int n = 1;
    for (Problem p : cause.problems()) {
      description
          .append("\n  ")
          .append(n)
          .append(". ")
          .append(p.subject())
          .append(": ")
          .append(p.message());
      action.append("\n  ").append(n).append(". ").append(p.subject()).append(": ").append(p.fix());
      n++;
    }
    return new FailureAnalysis(description.toString(), action.toString(), cause);
  }
}
