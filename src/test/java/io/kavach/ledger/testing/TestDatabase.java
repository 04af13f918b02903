package io.kavach.ledger.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers {@link PostgresResource} once for every Quarkus test in the module. */
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
public final class TestDatabase {

    private TestDatabase() {
    }
}
