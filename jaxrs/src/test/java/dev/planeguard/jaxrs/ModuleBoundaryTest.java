package dev.planeguard.jaxrs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * This module uses planeguard core through its exported API only, and depends on no Jakarta REST
 * runtime: only the API.
 */
class ModuleBoundaryTest {

  @Test
  void nothingHereImportsCoresInternalsOrARuntime() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.planeguard.internal..", "org.glassfish..", "org.jboss..", "jakarta.servlet..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.planeguard.jaxrs"));
  }
}
