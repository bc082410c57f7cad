package dev.planeguard.webflux;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * This module uses planeguard core through its exported API only: core's internal package may
 * change in any release, and the module system would refuse it at run time.
 */
class ModuleBoundaryTest {

  @Test
  void nothingHereImportsCoresInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.planeguard.internal..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.planeguard.webflux"));
  }
}
