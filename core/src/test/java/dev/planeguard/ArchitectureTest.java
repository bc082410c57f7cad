package dev.planeguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Core compiles without Servlet or Spring, and the public API does not leak internals. */
class ArchitectureTest {

  static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.planeguard");

  @Test
  void coreHasNoServletOrSpringDependency() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "jakarta.servlet..", "javax.servlet..", "org.springframework..", "org.apache.commons.logging..")
        .check(CORE);
  }

  @Test
  void internalsDoNotDependOnAdapters() {
    noClasses()
        .that()
        .resideInAPackage("dev.planeguard.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.planeguard.servlet..", "dev.planeguard.spring..", "dev.planeguard.cli..")
        .check(CORE);
  }
}
