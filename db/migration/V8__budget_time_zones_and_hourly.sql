-- Budgets reset in their own IANA time zone (ADR 0014), and may reset every hour.
--
-- Every existing budget keeps exactly what it had: the column defaults to 'UTC', the zone every
-- window so far was computed in, so no window boundary moves. The zone is validated by the API
-- (an IANA region id, e.g. 'Asia/Kolkata'); the database only bounds its length.
ALTER TABLE budget ADD COLUMN timezone text NOT NULL DEFAULT 'UTC'
    CHECK (length(timezone) BETWEEN 1 AND 64);

ALTER TABLE budget DROP CONSTRAINT budget_period_check;
ALTER TABLE budget ADD CONSTRAINT budget_period_check
    CHECK (period IN ('hourly', 'daily', 'monthly', 'total'));
-- A total budget has one window for ever: a zone would mean nothing.
ALTER TABLE budget ADD CONSTRAINT budget_total_in_utc CHECK (period <> 'total' OR timezone = 'UTC');

ALTER TABLE alert_rule DROP CONSTRAINT alert_rule_period_check;
ALTER TABLE alert_rule ADD CONSTRAINT alert_rule_period_check
    CHECK (period IN ('hourly', 'daily', 'monthly', 'total'));
