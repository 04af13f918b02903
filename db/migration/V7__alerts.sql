-- Alerts delivered by the server (docs/alerts.md, ADR 0011).
--
-- alert_rule: what to watch (a budget key of the org and a threshold on spent / limit_value)
-- and where to say it (channel, target, secret). Rules are soft-deleted so fired alerts keep
-- naming the rule they came from.
--
-- alert_event: the transactional outbox. A row is written in the same transaction as the
-- booking that makes a window's spent reach a rule's threshold; the unique (rule_id, window_id)
-- makes that happen at most once per rule and window, across any number of instances. Delivery
-- workers claim due rows with FOR UPDATE SKIP LOCKED and push next_attempt_at forward as a
-- lease, so a worker killed mid-delivery leaves the row due again (at-least-once).
--
-- alert_attempt: one row per delivery attempt (GET /v1/alerts/deliveries).

CREATE TABLE alert_rule (
    id          uuid         PRIMARY KEY,
    org_id      text         NOT NULL REFERENCES org (id),
    scope       text         NOT NULL CHECK (scope IN ('org', 'shared', 'agent')),
    name        text,
    period      text         NOT NULL CHECK (period IN ('daily', 'monthly', 'total')),
    threshold   numeric(10,9) NOT NULL CHECK (threshold > 0 AND threshold <= 1),
    channel     text         NOT NULL CHECK (channel IN ('webhook', 'slack', 'pagerduty', 'email', 'kill')),
    target      text,
    -- Needed in clear to sign webhooks; never shown by the API after creation.
    secret      text,
    action      text         CHECK (action IN ('kill')),
    source      text         NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config', 'sdk')),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT alert_rule_target CHECK (channel = 'kill' OR target IS NOT NULL)
);
CREATE INDEX alert_rule_live_by_org ON alert_rule (org_id, scope, name, period) WHERE deleted_at IS NULL;

CREATE TABLE alert_event (
    id              uuid          PRIMARY KEY,
    org_id          text          NOT NULL,
    rule_id         uuid          NOT NULL REFERENCES alert_rule (id),
    window_id       bigint        NOT NULL REFERENCES budget_window (id),
    budget_id       uuid          NOT NULL,
    budget_key      text          NOT NULL,
    threshold       numeric(10,9) NOT NULL,
    limit_value     numeric(38,9) NOT NULL,
    spent           numeric(38,9) NOT NULL,
    reserved        numeric(38,9) NOT NULL,
    window_start    timestamptz   NOT NULL,
    window_end      timestamptz,
    fired_at        timestamptz   NOT NULL,
    status          text          NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer       NOT NULL DEFAULT 0,
    next_attempt_at timestamptz   NOT NULL,
    resolved_at     timestamptz,
    -- When the rule's kill action paused the budget's agents (done once, before any delivery).
    action_done_at  timestamptz,
    CONSTRAINT alert_event_once UNIQUE (rule_id, window_id)
);
CREATE INDEX alert_event_due ON alert_event (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_event_by_org ON alert_event (org_id, fired_at DESC, id DESC);

CREATE TABLE alert_attempt (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid        NOT NULL REFERENCES alert_event (id),
    attempt      integer     NOT NULL,
    attempted_at timestamptz NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('delivered', 'failed', 'refused')),
    http_status  integer,
    latency_ms   bigint      NOT NULL,
    error        text
);
CREATE INDEX alert_attempt_by_event ON alert_attempt (event_id, attempt);
