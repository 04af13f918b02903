package io.kavach.ledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Statements sent together run in the order added, each answering for itself; the first failure stops the rest. */
@QuarkusTest
class RoundTripTest {

    @Inject
    AgroalDataSource dataSource;

    private static Integer firstInt(java.sql.ResultSet rows) throws java.sql.SQLException {
        rows.next();
        return rows.getInt(1);
    }

    @Test
    void statementsRunInTheOrderAddedAndEachResultIsItsOwn() {
        List<Integer> answers = QuarkusTransaction.requiringNew().call(() -> {
            RoundTrip trip = new RoundTrip(dataSource);
            RoundTrip.Result<Integer> sum = trip.query("SELECT ?::int + ?::int", p -> {
                p.setInt(1, 40);
                p.setInt(2, 2);
            }, RoundTripTest::firstInt);
            trip.update("CREATE TEMP TABLE round_trip_test (x int) ON COMMIT DROP", p -> { });
            RoundTrip.Result<Integer> inserted = trip.update("INSERT INTO round_trip_test SELECT unnest(?::int[])",
                    p -> p.setArray(1, Sql.longs(p.connection(), List.of(1L, 2L, 3L))));
            // A '?' inside a literal is text, not a parameter: the next statement's parameters still line up.
            RoundTrip.Result<Integer> counted = trip.query("SELECT count(*)::int FROM round_trip_test WHERE x > ? AND '?' = '?'",
                    p -> p.setInt(1, 1), RoundTripTest::firstInt);
            RoundTrip.Result<Integer> last = trip.query("SELECT length(?)", p -> p.setString(1, "four"), RoundTripTest::firstInt);
            assertThrows(IllegalStateException.class, sum::get, "a result before its trip ran");
            trip.run();
            return new ArrayList<>(List.of(sum.get(), inserted.get(), counted.get(), last.get()));
        });
        assertEquals(List.of(42, 3, 2, 4), answers);
    }

    @Test
    void theFirstFailureStopsTheRestAndIsThrownWithItsSqlState() {
        String org = "rt-" + UUID.randomUUID().toString().substring(0, 8);
        List<RoundTrip.Result<Integer>> results = new ArrayList<>();
        StoreException failure = assertThrows(StoreException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            RoundTrip trip = new RoundTrip(dataSource);
            results.add(trip.update("INSERT INTO org (id) VALUES (?)", p -> p.setString(1, org)));
            results.add(trip.query("SELECT 1 / ?", p -> p.setInt(1, 0), RoundTripTest::firstInt));
            results.add(trip.update("INSERT INTO org (id) VALUES (?)", p -> p.setString(1, org + "-after")));
            trip.run();
        }));
        assertEquals("22012", failure.sqlCause().getSQLState(), "division by zero, as a single statement reports it");
        assertThrows(IllegalStateException.class, () -> results.get(2).get(), "the statement after the failure never answered");
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM org WHERE id IN (?, ?)", org, org + "-after"),
                "the transaction rolled back");
    }

    @Test
    void placeholdersAreCountedOutsideQuotesOnly() {
        assertEquals(3, RoundTrip.placeholders("SELECT ?, '?', ?::text[] || ?"));
        assertEquals(0, RoundTrip.placeholders("SELECT 'it''s?'"));
    }
}
