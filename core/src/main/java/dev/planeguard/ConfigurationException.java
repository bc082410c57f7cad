package dev.planeguard;

import java.util.List;

/**
 * Thrown when a configuration (environment contract, policy, enforcer settings) is invalid. It
 * carries <em>every</em> problem found, not just the first, each with what to fix. Adapters let it
 * stop the process: an invalid configuration is never repaired with a default.
 */
public final class ConfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  /**
   * Creates the exception.
   *
   * @param summary what was being configured, e.g. {@code "Invalid environment contract"}
   * @param problems at least one problem
   */
  public ConfigurationException(String summary, List<Problem> problems) {
    super(render(summary, problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigurationException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order found. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(String summary, List<Problem> problems) {
    StringBuilder sb = new StringBuilder(summary).append(" (").append(problems.size());
    sb.append(problems.size() == 1 ? " problem):" : " problems):");
    for (Problem problem : problems) {
      sb.append(System.lineSeparator()).append("  - ").append(problem);
    }
    return sb.toString();
  }
}
