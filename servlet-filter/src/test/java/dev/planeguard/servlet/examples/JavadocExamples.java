package dev.planeguard.servlet.examples;

import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.servlet.PlaneGuardFilter;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.util.Set;

/**
 * The Java examples of planeguard-servlet's Javadoc, compiled: each region between {@code //
 * example: NAME} and {@code // end example} is the text of the Javadoc block marked {@code <!--
 * example: NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same. Nothing
 * here is run.
 */
@SuppressWarnings("ClassCanBeStatic") // the example's class is declared as a user writes it
final class JavadocExamples {

  private JavadocExamples() {}

  // example: PlaneGuardFilter.registerOn
  public final class Startup implements ServletContainerInitializer {
    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
      PlaneGuard planeguard =
          PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(System.getenv()).build());
      new PlaneGuardFilter(planeguard.enforcer()).registerOn(context); // before any other filter
      // ... your own filters and servlets; planeguard.close() when the application stops
    }
  }
  // end example
}
