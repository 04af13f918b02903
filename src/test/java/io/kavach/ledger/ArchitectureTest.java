package io.kavach.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the code, checked on the compiled main classes (README "Layout", ADR 0012): the
 * core is plain Java; only the API knows HTTP; only the store knows SQL; a resource goes through a
 * service to reach the store.
 */
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
    void onlyTheApiKnowsHttp() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("io.kavach.ledger.api..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "org.jboss.resteasy..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kavach.ledger.api.ProblemException")
                .because("HTTP statuses are chosen in api/ alone; the domain names its refusals (core/DomainError)");
        rule.check(main);
    }

    @Test
    void vertxHttpOnlyWhereQuarkusHandsARequestOutsideJaxRs() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("io.kavach.ledger.api..")
                // The API-key authentication mechanism and the shutdown route are Quarkus HTTP
                // extension points below JAX-RS: they are handed a Vert.x request by design.
                .and().doNotHaveFullyQualifiedName("io.kavach.ledger.security.ApiKeyAuthenticationMechanism")
                .and().doNotHaveFullyQualifiedName("io.kavach.ledger.ops.GracefulShutdown")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.ext.web..", "io.vertx.core.http..",
                        "io.quarkus.vertx.http..")
                .because("only api/ answers HTTP");
        rule.check(main);
    }

    @Test
    void onlyTheStoreKnowsSql() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("io.kavach.ledger.store..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "io.agroal..",
                        "io.quarkus.hibernate..", "jakarta.persistence..", "org.hibernate..", "org.postgresql..")
                .because("one persistence path: SQL, connections and SQLStates stay in store/ (ADR 0012)");
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
