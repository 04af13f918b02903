package io.kavach.ledger.core;

import java.time.Instant;
import java.util.UUID;

/** An SDK API key as listings show it: never the key itself, only a recognisable prefix. */
public record ApiKeyDetails(UUID id, String name, String environment, String prefix, Instant createdAt) {
}
