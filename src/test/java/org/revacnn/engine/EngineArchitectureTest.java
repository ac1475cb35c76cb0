package org.revacnn.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine depends on the JDK only, so it can be embedded and tested alone. */
class EngineArchitectureTest {

  @Test
  void engineImportsOnlyTheJdk() {
    JavaClasses engine = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.revacnn.engine");
    classes().that().resideInAPackage("org.revacnn.engine..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("org.revacnn.engine..", "java..", "jdk.incubator.vector..")
        .check(engine);
  }
}
