package io.kavach.ledger.alert;

import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.core.AlertEvent;
import io.kavach.ledger.core.AlertEvent.Attempt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The delivery log: fired alerts of an org, newest first, each with its attempts. */
@ApplicationScoped
public class AlertDeliveries {

    @Inject
    AlertStore store;

    public record Delivery(AlertEvent event, List<Attempt> attempts) {
    }

    public record Page(List<Delivery> alerts, boolean hasMore) {
    }

    public Page page(String orgId, UUID startingAfter, int limit) {
        List<AlertEvent> events = store.events(orgId, startingAfter, limit + 1);
        boolean hasMore = events.size() > limit;
        List<AlertEvent> page = hasMore ? events.subList(0, limit) : events;
        Map<UUID, List<Attempt>> attempts = store.attempts(page.stream().map(AlertEvent::id).toList());
        return new Page(page.stream().map(e -> new Delivery(e, attempts.getOrDefault(e.id(), List.of()))).toList(), hasMore);
    }
}
