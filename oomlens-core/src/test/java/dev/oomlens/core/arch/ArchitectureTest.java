package dev.oomlens.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape DESIGN.md asks for, held by a test: evidence records depend on nothing, readers know
 * formats and nothing of diagnosis, analyzers are pure, and no package depends on another in a
 * circle.
 */
class ArchitectureTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.oomlens.core");
  }

  @Test
  void evidenceRecords_dependOnNothingElseOfOomlens() {
    classes()
        .that()
        .resideInAnyPackage("dev.oomlens.core.model", "dev.oomlens.core.finding")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.oomlens.core.model", "dev.oomlens.core.finding", "java..")
        .check(core);
    classes()
        .that()
        .resideInAPackage("dev.oomlens.core.host")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.oomlens.core.host", "dev.oomlens.core.model", "java..")
        .check(core);
  }

  @Test
  void readers_knowFormatsNotDiagnosis() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.oomlens.core.kernel..", "dev.oomlens.core.host..", "dev.oomlens.core.cgroup..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.oomlens.core.rules..", "dev.oomlens.core.finding..", "dev.oomlens.core.calc..")
        .check(core);
  }

  @Test
  void analyzers_arePure() {
    noClasses()
        .that()
        .resideInAPackage("dev.oomlens.core.rules..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(java.time.Clock.class, "systemUTC")
        .orShould()
        .callMethod(java.time.Clock.class, "systemDefaultZone")
        .check(core);
  }

  @Test
  void packages_areFreeOfCycles() {
    slices().matching("dev.oomlens.core.(*)..").should().beFreeOfCycles().check(core);
  }
}
