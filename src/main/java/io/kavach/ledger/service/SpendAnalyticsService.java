package io.kavach.ledger.service;

import io.kavach.ledger.store.SpendAnalyticsStore;
import io.kavach.ledger.core.SpendAnalytics.Dimension;
import io.kavach.ledger.core.SpendAnalytics.Page;
import io.kavach.ledger.core.SpendAnalytics.Refusal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** Spend analytics and the refusal log of one org: reads only, from rows the ledger writes as it books. */
@ApplicationScoped
public class SpendAnalyticsService {

    /** The longest range one spend query may cover, in days. */
    public static final int RANGE_DAYS_MAX = 400;
    /** Rows per page of a spend query. */
    public static final int PAGE_SIZE_DEFAULT = 100;
    public static final int PAGE_SIZE_MAX = 1000;
    /** How deep a spend query may page (offset); a range that needs more is narrowed instead. */
    public static final int OFFSET_MAX = 100_000;
    public static final int REFUSALS_DEFAULT = 20;
    public static final int REFUSALS_MAX = 100;

    @Inject
    SpendAnalyticsStore store;

    public Page spend(String orgId, LocalDate from, LocalDate to, Set<Dimension> groupBy, int limit, int offset) {
        return store.spend(orgId, from, to, groupBy, limit, offset);
    }

    public List<Refusal> recentRefusals(String orgId, int limit) {
        return store.recentRefusals(orgId, limit);
    }
}
