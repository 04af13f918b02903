package io.kavach.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of the code (api → service → core, store), checked on the compiled main classes. */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.kavach.ledger");
    }

    @Test
    void domainCoreDependsOnNothingButJavaAndItself() {
        ArchRule rule = classes().that().resideInAPackage("io.kavach.ledger.core")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.kavach.ledger.core")
                .because("the ledger core is plain Java: no Quarkus, JPA, JAX-RS or store imports");
        rule.check(main);
    }

    // Package patterns are anchored at io.kavach.ledger: "..api.." alone also matches
    // third-party packages such as io.agroal.api.

    @Test
    void resourcesDoNotUseTheStoreDirectly() {
        ArchRule rule = noClasses().that().resideInAPackage("io.kavach.ledger.api..")
                .should().dependOnClassesThat().resideInAPackage("io.kavach.ledger.store..")
                .because("a request flows resource -> service -> store");
        rule.check(main);
    }

    @Test
    void onlyTheApiDependsOnTheApi() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("io.kavach.ledger.api..")
                .should().dependOnClassesThat().resideInAPackage("io.kavach.ledger.api..")
                .because("HTTP concerns stay at the edge");
        rule.check(main);
    }

    @Test
    void theImportSeesTheWholeApplication() {
        // Guards against a vacuous pass: the rules above are only as good as what was imported.
        if (main.stream().noneMatch(type -> type.getPackageName().equals("io.kavach.ledger.core"))
                || main.stream().noneMatch(type -> type.getPackageName().equals("io.kavach.ledger.api"))
                || main.stream().noneMatch(type -> type.getPackageName().equals("io.kavach.ledger.store"))) {
            throw new AssertionError("the main classes of io.kavach.ledger were not found on the classpath");
        }
    }
}
