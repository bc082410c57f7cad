package dev.planeguard.test;

import dev.planeguard.ConfigurationException;

/**
 * Run in a child JVM by {@link ProcessEnvironmentRefusalTest}: starts a {@link TestIssuer} or a
 * {@link TestKeys} file with whatever environment the child was given, prints the outcome and exits
 * 0 if it started, 3 if it was refused.
 */
public final class RefusalProbe {

  private RefusalProbe() {}

  public static void main(String[] args) {
    try {
      if (args.length > 0 && args[0].equals("keys")) {
        TestKeys.inTemporaryFile().close();
      } else {
        TestIssuer.start().close();
      }
      System.out.println("STARTED");
    } catch (ConfigurationException e) {
      System.out.println(e.getMessage());
      System.exit(3);
    }
  }
}
