-- kavach-ledger schema, version 1.
--
-- Money is NUMERIC(38,9): exact USD to 1e-9 (amounts are capped at 1e12 by the API,
-- so sums of many of them still fit). Never binary floating point.
--
-- Counters live on budget_window (one row per budget per period instance) and are
-- the only rows a spend locks. Every change to a counter is also written, in the
-- same transaction, to an append-only record that names the windows it touched:
-- journal_entry (reservation holds and their outcomes) and spend_event (ingested
-- spend). GET /v1/admin/audit re-derives every counter from those records.

CREATE TABLE org (
    id            text        PRIMARY KEY,
    -- Sections of agentkavach.yaml the ledger does not enforce (defaults, channels,
    -- guardrails, ...), kept verbatim so export -> import is a no-op.
    config_extras jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     text        NOT NULL REFERENCES org (id),
    name       text        NOT NULL,
    -- What the SDK last reported through /v1/sync-config (per-run guardrails, alert
    -- configs): stored for display, never enforced here.
    sdk_config jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_name_unique UNIQUE (org_id, name)
);

CREATE TABLE budget (
    id          uuid          PRIMARY KEY,
    org_id      text          NOT NULL REFERENCES org (id),
    scope       text          NOT NULL CHECK (scope IN ('org', 'shared', 'agent')),
    -- Pool name for scope 'shared', agent name for scope 'agent', null for 'org'.
    name        text,
    agent_id    bigint        REFERENCES agent (id),
    budget_type text          NOT NULL DEFAULT 'cost' CHECK (budget_type IN ('cost')),
    period      text          NOT NULL CHECK (period IN ('daily', 'monthly', 'total')),
    limit_value numeric(38,9) NOT NULL CHECK (limit_value > 0),
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    -- Deleting a budget stops enforcement; its windows stay as history.
    deleted_at  timestamptz,
    CONSTRAINT budget_scope_shape CHECK (
        (scope = 'org'    AND name IS NULL     AND agent_id IS NULL) OR
        (scope = 'shared' AND name IS NOT NULL AND agent_id IS NULL) OR
        (scope = 'agent'  AND name IS NOT NULL AND agent_id IS NOT NULL))
);
CREATE UNIQUE INDEX budget_org_live    ON budget (org_id, budget_type, period) WHERE scope = 'org'    AND deleted_at IS NULL;
CREATE UNIQUE INDEX budget_shared_live ON budget (org_id, name)                WHERE scope = 'shared' AND deleted_at IS NULL;
CREATE UNIQUE INDEX budget_agent_live  ON budget (agent_id, budget_type, period) WHERE scope = 'agent' AND deleted_at IS NULL;
CREATE INDEX budget_live_by_org ON budget (org_id) WHERE deleted_at IS NULL;

CREATE TABLE pool_member (
    budget_id uuid   NOT NULL REFERENCES budget (id),
    agent_id  bigint NOT NULL REFERENCES agent (id),
    PRIMARY KEY (budget_id, agent_id)
);
CREATE INDEX pool_member_by_agent ON pool_member (agent_id);

-- One period instance of a budget: [window_start, window_end), end null for 'total'.
-- limit_value is the limit in force for this window; changing a budget's limit
-- updates its open windows under their row locks, so a limit change and an
-- admission are always ordered.
CREATE TABLE budget_window (
    id           bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    budget_id    uuid          NOT NULL REFERENCES budget (id),
    window_start timestamptz   NOT NULL,
    window_end   timestamptz,
    limit_value  numeric(38,9) NOT NULL CHECK (limit_value > 0),
    spent        numeric(38,9) NOT NULL DEFAULT 0 CHECK (spent >= 0),
    reserved     numeric(38,9) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    CONSTRAINT budget_window_unique UNIQUE (budget_id, window_start),
    CONSTRAINT budget_window_order CHECK (window_end IS NULL OR window_end > window_start)
);

CREATE TABLE reservation (
    id                  uuid          PRIMARY KEY,
    org_id              text          NOT NULL REFERENCES org (id),
    agent_id            bigint        NOT NULL REFERENCES agent (id),
    -- 'rejected' rows exist only to replay a 429 for a reused idempotency key.
    status              text          NOT NULL CHECK (status IN ('pending', 'committed', 'released', 'expired', 'rejected')),
    amount              numeric(38,9) NOT NULL CHECK (amount > 0),
    cost                numeric(38,9) CHECK (cost >= 0),
    -- The windows the hold was placed in; commit, release and expiry act on exactly these.
    window_ids          bigint[]      NOT NULL,
    ttl_seconds         integer       NOT NULL CHECK (ttl_seconds BETWEEN 1 AND 3600),
    expires_at          timestamptz   NOT NULL,
    idempotency_key     text,
    -- What the request asked, so a reused key with another body is told apart (422).
    request_fingerprint text,
    -- The first answer's content (budgets after the hold, or why it was refused), so a retry
    -- with the same idempotency key replays exactly that answer.
    outcome             jsonb,
    provider            text,
    model               text,
    run_id              text,
    input_tokens        bigint,
    output_tokens       bigint,
    overrun             boolean       NOT NULL DEFAULT false,
    late                boolean       NOT NULL DEFAULT false,
    created_at          timestamptz   NOT NULL,
    resolved_at         timestamptz
);
CREATE UNIQUE INDEX reservation_idempotency ON reservation (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX reservation_pending_expiry ON reservation (expires_at) WHERE status = 'pending';

-- Append-only: one row per hold, commit, release or expiry, naming the windows it changed.
CREATE TABLE journal_entry (
    id             bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         text          NOT NULL,
    kind           text          NOT NULL CHECK (kind IN ('hold', 'commit', 'release', 'expire')),
    reservation_id uuid          NOT NULL REFERENCES reservation (id),
    window_ids     bigint[]      NOT NULL,
    reserved_delta numeric(38,9) NOT NULL,
    spent_delta    numeric(38,9) NOT NULL,
    recorded_at    timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX journal_entry_by_org ON journal_entry (org_id);
CREATE INDEX journal_entry_by_reservation ON journal_entry (reservation_id);

-- Append-only: one row per ingested event; it is the journal record of that spend.
CREATE TABLE spend_event (
    id              bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          text          NOT NULL,
    agent_id        bigint        NOT NULL REFERENCES agent (id),
    idempotency_key text,
    cost            numeric(38,9) NOT NULL CHECK (cost >= 0),
    window_ids      bigint[]      NOT NULL,
    occurred_at     timestamptz   NOT NULL,
    provider        text,
    model           text,
    input_tokens    bigint,
    output_tokens   bigint,
    duration_ms     bigint,
    run_id          text,
    status          text,
    recorded_at     timestamptz   NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX spend_event_idempotency ON spend_event (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX spend_event_by_org_time ON spend_event (org_id, occurred_at);

CREATE TABLE api_key (
    id          uuid        PRIMARY KEY,
    org_id      text        NOT NULL REFERENCES org (id),
    name        text        NOT NULL,
    environment text        NOT NULL CHECK (environment IN ('prod', 'dev')),
    -- Shown in listings so a key can be recognised; never enough to use it.
    prefix      text        NOT NULL,
    -- SHA-256 of the whole key. Keys carry >= 128 bits of randomness, so a fast
    -- hash is safe; the key itself is never stored.
    key_hash    bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CONSTRAINT api_key_hash_unique UNIQUE (key_hash)
);
CREATE INDEX api_key_by_org ON api_key (org_id);
