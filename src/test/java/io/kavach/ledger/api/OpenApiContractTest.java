package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keeps three things in step: the top-level openapi.yaml, what /q/openapi serves, and the JAX-RS
 * resources of {@code io.kavach.ledger.api} (operations and the roles allowed on them).
 */
@QuarkusTest
class OpenApiContractTest {

    /**
     * Documented operations nobody has implemented yet. It may only shrink: an operation listed
     * here that exists fails the test, so whoever implements one removes it from this list.
     */
    static final Set<String> NOT_YET_IMPLEMENTED = Set.of(
            "POST /v1/shared-budgets",
            "GET /v1/shared-budgets",
            "GET /v1/shared-budgets/{}",
            "PUT /v1/shared-budgets/{}",
            "DELETE /v1/shared-budgets/{}",
            "PUT /v1/shared-budgets/{}/agents/{}",
            "DELETE /v1/shared-budgets/{}/agents/{}",
            "GET /v1/agents",
            "PUT /v1/agents/{}/budgets",
            "GET /v1/agents/{}/budget",
            "PUT /v1/config",
            "GET /v1/config",
            "POST /v1/sync-config");

    /** How each role of {@code @RolesAllowed} appears as a security requirement in the contract. */
    private static final Map<String, String> REQUIREMENT_OF_ROLE = Map.of(
            "admin", "jwt:admin",
            "viewer", "jwt:viewer",
            "sdk", "apiKey");

    private static final Set<String> OPERATION_KEYS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servedYamlIsTheTopLevelContract() throws IOException {
        String served = given().accept("application/yaml").when().get("/q/openapi")
                .then().statusCode(200).extract().asString();
        assertSameDocument(contract(), YAML.readTree(served), "/q/openapi (YAML)");
    }

    @Test
    void servedJsonIsTheTopLevelContract() throws IOException {
        String served = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).contentType("application/json").extract().asString();
        assertSameDocument(contract(), JSON.readTree(served), "/q/openapi?format=json");
    }

    @Test
    void implementedOperationsAreExactlyTheDocumentedOnesMinusTheAllowList() throws IOException {
        Set<String> documented = documentedOperations(contract()).keySet();
        Set<String> implemented = implementedOperations().keySet();

        List<String> problems = new ArrayList<>();
        for (String operation : new TreeSet<>(implemented)) {
            if (!documented.contains(operation)) {
                problems.add("implemented but not in openapi.yaml: " + operation);
            }
            if (NOT_YET_IMPLEMENTED.contains(operation)) {
                problems.add("implemented, so remove it from NOT_YET_IMPLEMENTED: " + operation);
            }
        }
        for (String operation : new TreeSet<>(documented)) {
            if (!implemented.contains(operation) && !NOT_YET_IMPLEMENTED.contains(operation)) {
                problems.add("documented but not implemented: " + operation);
            }
        }
        for (String operation : new TreeSet<>(NOT_YET_IMPLEMENTED)) {
            if (!documented.contains(operation)) {
                problems.add("in NOT_YET_IMPLEMENTED but not documented: " + operation);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void rolesAllowedMatchTheDocumentedSecurityOfEveryImplementedOperation() throws IOException {
        Map<String, JsonNode> documented = documentedOperations(contract());
        List<String> problems = new ArrayList<>();
        implementedOperations().forEach((operation, method) -> {
            JsonNode documentedOperation = documented.get(operation);
            if (documentedOperation == null) {
                return; // Reported by the operations test.
            }
            Set<String> expected = new TreeSet<>();
            for (String role : rolesAllowed(method)) {
                String requirement = REQUIREMENT_OF_ROLE.get(role);
                if (requirement == null) {
                    problems.add(operation + ": role '" + role + "' has no security scheme in the contract");
                } else {
                    expected.add(requirement);
                }
            }
            Set<String> actual = securityRequirements(documentedOperation);
            if (!expected.equals(actual)) {
                problems.add(operation + ": @RolesAllowed means " + expected + " but openapi.yaml says " + actual
                        + " (" + method.getFullName() + ")");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void contractIsServedWithoutCredentials() {
        given().when().get("/q/openapi").then().statusCode(200);
    }

    // ---------------------------------------------------------------------------------------

    private static JsonNode contract() throws IOException {
        return YAML.readTree(Files.readString(Paths.get("openapi.yaml")));
    }

    private static void assertSameDocument(JsonNode expected, JsonNode actual, String what) {
        // Numbers compare by value: 500 and 500.0 are the same number in a JSON document.
        Comparator<JsonNode> numbersByValue = (a, b) -> {
            if (a.isNumber() && b.isNumber()) {
                return a.decimalValue().compareTo(b.decimalValue());
            }
            return a.equals(b) ? 0 : 1;
        };
        if (!expected.equals(numbersByValue, actual)) {
            List<String> differences = new ArrayList<>();
            diff("", expected, actual, differences);
            fail(what + " differs from openapi.yaml:\n" + String.join("\n", differences.subList(0, Math.min(20, differences.size()))));
        }
    }

    private static void diff(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected == null || actual == null || expected.isObject() != actual.isObject()
                || expected.isArray() != actual.isArray()) {
            differences.add(path + ": expected " + expected + " but served " + actual);
        } else if (expected.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(path + "/" + name, expected.get(name), actual.get(name), differences);
            }
        } else if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                differences.add(path + ": expected " + expected + " but served " + actual);
            } else {
                for (int i = 0; i < expected.size(); i++) {
                    diff(path + "/" + i, expected.get(i), actual.get(i), differences);
                }
            }
        } else if (expected.isNumber() && actual.isNumber()
                ? expected.decimalValue().compareTo(actual.decimalValue()) != 0
                : !expected.equals(actual)) {
            differences.add(path + ": expected " + expected + " but served " + actual);
        }
    }

    /** Documented operations as {@code "METHOD /path/{}"} (parameter names normalised away). */
    static Map<String, JsonNode> documentedOperations(JsonNode document) {
        Map<String, JsonNode> operations = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> items = path.getValue().fields(); items.hasNext(); ) {
                Map.Entry<String, JsonNode> item = items.next();
                if (OPERATION_KEYS.contains(item.getKey())) {
                    operations.put(item.getKey().toUpperCase(Locale.ROOT) + " " + normalise(path.getKey()), item.getValue());
                }
            }
        }
        return operations;
    }

    /** Every JAX-RS resource method of the api package, from the compiled classes. */
    static Map<String, JavaMethod> implementedOperations() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.kavach.ledger.api");
        Map<String, JavaMethod> operations = new TreeMap<>();
        for (JavaClass type : classes) {
            String classPath = pathOf(type.tryGetAnnotationOfType(Path.class.getName())).orElse("");
            for (JavaMethod method : type.getMethods()) {
                Optional<String> httpMethod = httpMethod(method);
                Optional<String> methodPath = pathOf(method.tryGetAnnotationOfType(Path.class.getName()));
                if (httpMethod.isEmpty()) {
                    if (methodPath.isPresent()) {
                        fail("sub-resource locators are not supported by this test: " + method.getFullName());
                    }
                    continue;
                }
                if (!type.isAnnotatedWith(Path.class)) {
                    fail(method.getFullName() + " has @" + httpMethod.get() + " but its class has no @Path");
                }
                String operation = httpMethod.get() + " " + normalise(classPath + "/" + methodPath.orElse(""));
                JavaMethod previous = operations.put(operation, method);
                if (previous != null) {
                    fail(operation + " is implemented twice: " + previous.getFullName() + " and " + method.getFullName());
                }
            }
        }
        return operations;
    }

    private static Optional<String> httpMethod(JavaMethod method) {
        for (JavaAnnotation<JavaMethod> annotation : method.getAnnotations()) {
            Optional<? extends JavaAnnotation<?>> meta = annotation.getRawType().tryGetAnnotationOfType(HttpMethod.class.getName());
            if (meta.isPresent()) {
                return meta.get().get("value").map(Object::toString);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> pathOf(Optional<? extends JavaAnnotation<?>> annotation) {
        return annotation.flatMap(path -> path.get("value")).map(Object::toString);
    }

    private static Set<String> rolesAllowed(JavaMethod method) {
        Optional<? extends JavaAnnotation<?>> roles = method.tryGetAnnotationOfType(RolesAllowed.class.getName());
        if (roles.isEmpty()) {
            roles = method.getOwner().tryGetAnnotationOfType(RolesAllowed.class.getName());
        }
        Set<String> result = new TreeSet<>();
        roles.flatMap(annotation -> annotation.get("value")).ifPresent(value -> {
            for (Object role : (Object[]) value) {
                result.add(role.toString());
            }
        });
        return result;
    }

    /** {@code {jwt:[admin]}} becomes {@code jwt:admin}, {@code {apiKey:[]}} becomes {@code apiKey}. */
    private static Set<String> securityRequirements(JsonNode operation) {
        Set<String> requirements = new TreeSet<>();
        for (JsonNode requirement : operation.path("security")) {
            requirement.fields().forEachRemaining(scheme -> {
                if (scheme.getValue().isEmpty()) {
                    requirements.add(scheme.getKey());
                }
                for (JsonNode role : scheme.getValue()) {
                    requirements.add(scheme.getKey() + ":" + role.asText());
                }
            });
        }
        return requirements;
    }

    /** {@code /v1//org/budgets/{id: [0-9]+}/} becomes {@code /v1/org/budgets/{}}. */
    static String normalise(String path) {
        String normalised = ("/" + path).replaceAll("\\{[^}]*}", "{}").replaceAll("/+", "/");
        return normalised.length() > 1 && normalised.endsWith("/")
                ? normalised.substring(0, normalised.length() - 1) : normalised;
    }

    @Test
    void normaliseUnifiesParameterNamesAndSlashes() {
        assertEquals("/v1/org/budgets/{}", normalise("/v1/org/budgets/{id}"));
        assertEquals("/v1/org/budgets/{}", normalise("v1//org/budgets/{budgetId: [0-9a-f-]+}/"));
        assertEquals("/v1/shared-budgets/{}/agents/{}", normalise("/v1/shared-budgets/{name}/agents/{agent}"));
        assertEquals("/", normalise(""));
    }

    @Test
    void documentedOperationsOfTheContractIncludeTheSeedCurl() throws IOException {
        // Guards the parsing above: an empty or mis-read document would make the other tests vacuous.
        Map<String, JsonNode> operations = documentedOperations(contract());
        assertTrue(operations.containsKey("POST /v1/org/budgets"), operations.keySet().toString());
        assertEquals(Set.of("jwt:admin", "jwt:viewer", "apiKey"),
                securityRequirements(operations.get("GET /v1/agents/{}/budget")));
        assertTrue(implementedOperations().containsKey("POST /v1/org/budgets"));
    }
}
