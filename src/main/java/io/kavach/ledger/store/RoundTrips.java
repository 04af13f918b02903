package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Where a ledger batch gets its {@link RoundTrip}s: each runs on the transaction's connection. */
@ApplicationScoped
public class RoundTrips {

    @Inject
    AgroalDataSource dataSource;

    public RoundTrip start() {
        return new RoundTrip(dataSource);
    }
}
