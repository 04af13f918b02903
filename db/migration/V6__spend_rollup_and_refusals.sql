-- Spend analytics (GET /v1/spend) and the refusal log (GET /v1/refusals); ADR 0010.
--
-- spend_daily is a rollup of every booked cost by UTC day, agent, provider and model, written by
-- the ledger in the same transaction as the booking (LedgerStore.addToRollup), so it is exactly
-- the sum of the recorded spend at every commit. Each booking adds one row with budget_id = the
-- nil UUID (all spend, whether or not any budget applied) and one row per budget it was booked
-- into (for group_by=budget). Ingested events count on the day of their timestamp; committed
-- reservations on the day they were held (the windows they are booked into).
CREATE TABLE spend_daily (
    org_id        text          NOT NULL,
    budget_id     uuid          NOT NULL,
    day           date          NOT NULL,
    agent_id      bigint        NOT NULL,
    -- '' when the event named none, so the key has no nulls.
    provider      text          NOT NULL,
    model         text          NOT NULL,
    cost          numeric(38,9) NOT NULL CHECK (cost >= 0),
    input_tokens  bigint        NOT NULL,
    output_tokens bigint        NOT NULL,
    calls         bigint        NOT NULL,
    PRIMARY KEY (org_id, budget_id, day, agent_id, provider, model)
);

INSERT INTO spend_daily (org_id, budget_id, day, agent_id, provider, model, cost, input_tokens, output_tokens, calls)
SELECT org_id, budget_id, day, agent_id, provider, model,
       sum(cost), sum(input_tokens), sum(output_tokens), count(*)
  FROM (
        SELECT e.org_id, '00000000-0000-0000-0000-000000000000'::uuid AS budget_id,
               (e.occurred_at AT TIME ZONE 'UTC')::date AS day, e.agent_id,
               coalesce(e.provider, '') AS provider, coalesce(e.model, '') AS model, e.cost,
               coalesce(e.input_tokens, 0) AS input_tokens, coalesce(e.output_tokens, 0) AS output_tokens
          FROM spend_event e
        UNION ALL
        SELECT e.org_id, w.budget_id, (e.occurred_at AT TIME ZONE 'UTC')::date, e.agent_id,
               coalesce(e.provider, ''), coalesce(e.model, ''), e.cost,
               coalesce(e.input_tokens, 0), coalesce(e.output_tokens, 0)
          FROM spend_event e CROSS JOIN LATERAL unnest(e.window_ids) AS u(window_id)
          JOIN budget_window w ON w.id = u.window_id
        UNION ALL
        SELECT r.org_id, '00000000-0000-0000-0000-000000000000'::uuid,
               (r.created_at AT TIME ZONE 'UTC')::date, r.agent_id,
               coalesce(r.provider, ''), coalesce(r.model, ''), r.cost,
               coalesce(r.input_tokens, 0), coalesce(r.output_tokens, 0)
          FROM reservation r WHERE r.status = 'committed'
        UNION ALL
        SELECT r.org_id, w.budget_id, (r.created_at AT TIME ZONE 'UTC')::date, r.agent_id,
               coalesce(r.provider, ''), coalesce(r.model, ''), r.cost,
               coalesce(r.input_tokens, 0), coalesce(r.output_tokens, 0)
          FROM reservation r CROSS JOIN LATERAL unnest(r.window_ids) AS u(window_id)
          JOIN budget_window w ON w.id = u.window_id
         WHERE r.status = 'committed'
       ) AS booked
 GROUP BY org_id, budget_id, day, agent_id, provider, model;

-- The ledger's recent 429s, one row per (agent, kind, reason, budget) with when it first and last
-- happened and how often: bounded by the org's agents and the budgets that apply to each (per-org
-- caps), however many requests are refused. Written in the refusing transaction.
CREATE TABLE refusal (
    org_id     text        NOT NULL,
    agent_id   bigint      NOT NULL,
    -- 'reservation' (nothing held) or 'ingest' (events booked, the SDK told to stop).
    kind       text        NOT NULL CHECK (kind IN ('reservation', 'ingest')),
    reason     text        NOT NULL,
    -- '' for agent_paused, which names no budget.
    budget_key text        NOT NULL,
    first_at   timestamptz NOT NULL,
    last_at    timestamptz NOT NULL,
    count      bigint      NOT NULL CHECK (count > 0),
    PRIMARY KEY (org_id, agent_id, kind, reason, budget_key)
);
CREATE INDEX refusal_recent ON refusal (org_id, last_at DESC);
