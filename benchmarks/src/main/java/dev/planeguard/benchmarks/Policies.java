package dev.planeguard.benchmarks;

import dev.planeguard.Policy;

/** Policies of a given size, shaped like real ones: services, resources, ids, wildcards. */
final class Policies {

  private Policies() {}

  /** A policy of {@code rules} rules over services and resources. */
  static Policy sized(int rules) {
    StringBuilder text = new StringBuilder();
    text.append("public /healthz\n");
    for (int i = 1; i < rules; i++) {
      String access = i % 2 == 0 ? "human" : "machine";
      text.append(access)
          .append(" /api/v1/svc")
          .append(i % 50)
          .append("/res")
          .append(i)
          .append("/{id}/**\n");
    }
    return Policy.parse(text.toString(), "benchmark.policy");
  }

  /** A path matching the last rule of {@link #sized}. */
  static String matchingPath(int rules) {
    int i = rules - 1;
    return "/api/v1/svc" + (i % 50) + "/res" + i + "/42/items/7";
  }
}
