package dev.planeguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
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
            "jakarta.servlet..",
            "javax.servlet..",
            "org.springframework..",
            "org.apache.commons.logging..")
        .check(CORE);
  }

  /**
   * Internal types may change in any release, so no public member of an exported type may take,
   * return or expose one: callers outside core could not use it without importing the internals.
   */
  @Test
  void noPublicSignatureExposesAnInternalType() {
    ArchCondition<JavaMember> noInternalTypes =
        new ArchCondition<>("not expose a type of dev.planeguard.internal") {
          @Override
          public void check(JavaMember member, ConditionEvents events) {
            List<JavaClass> types = new ArrayList<>();
            if (member instanceof JavaField field) {
              types.add(field.getRawType());
            } else if (member instanceof JavaCodeUnit unit) {
              types.add(unit.getRawReturnType());
              types.addAll(unit.getRawParameterTypes());
              unit.getThrowsClause().forEach(t -> types.add(t.getRawType()));
            }
            for (JavaClass type : types) {
              if (type.getPackageName().startsWith(INTERNAL)) {
                events.add(
                    SimpleConditionEvent.violated(
                        member, member.getFullName() + " exposes " + type.getName()));
              }
            }
          }
        };
    members()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage(INTERNAL + "..")
        .should(noInternalTypes)
        .check(CORE);
  }

  private static final String INTERNAL = "dev.planeguard.internal";
}
