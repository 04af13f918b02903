-- Budgets count in their own unit (ADR 0015): cost (USD), tokens (input + output),
-- input_tokens, output_tokens or requests; optionally only for one model or provider; and an org
-- may set default budgets that every agent without its own budget of that type and period gets.
--
-- Every existing budget stays exactly as it is: cost, no filter. Window counters keep their
-- numeric(38,9) columns; a count budget's counters hold whole numbers of its unit.
ALTER TABLE budget DROP CONSTRAINT budget_budget_type_check;
ALTER TABLE budget ADD CONSTRAINT budget_budget_type_check
    CHECK (budget_type IN ('cost', 'tokens', 'input_tokens', 'output_tokens', 'requests'));
ALTER TABLE budget ADD COLUMN model text CHECK (length(model) BETWEEN 1 AND 256),
                   ADD COLUMN provider text CHECK (length(provider) BETWEEN 1 AND 256);
-- 'default': created by the ledger from the org's default budgets on an agent's first spend.
ALTER TABLE budget DROP CONSTRAINT budget_managed_by_check;
ALTER TABLE budget ADD CONSTRAINT budget_managed_by_check CHECK (managed_by IN ('config', 'api', 'sdk', 'default'));

-- One live budget per (type, period, filters) and scope, as before per (type, period).
DROP INDEX budget_org_live;
DROP INDEX budget_agent_live;
CREATE UNIQUE INDEX budget_org_live ON budget (org_id, budget_type, period, coalesce(model, ''), coalesce(provider, ''))
    WHERE scope = 'org' AND deleted_at IS NULL;
CREATE UNIQUE INDEX budget_agent_live ON budget (agent_id, budget_type, period, coalesce(model, ''), coalesce(provider, ''))
    WHERE scope = 'agent' AND deleted_at IS NULL;

-- A journal entry changes windows of one unit; a reservation's hold in several units is several
-- entries. 'cost' for every entry written before.
ALTER TABLE journal_entry ADD COLUMN unit text NOT NULL DEFAULT 'cost'
    CHECK (unit IN ('cost', 'tokens', 'input_tokens', 'output_tokens', 'requests'));

-- What a reservation holds besides its amount (estimates; null: not stated).
ALTER TABLE reservation ADD COLUMN hold_tokens bigint CHECK (hold_tokens >= 0),
                        ADD COLUMN hold_input_tokens bigint CHECK (hold_input_tokens >= 0),
                        ADD COLUMN hold_output_tokens bigint CHECK (hold_output_tokens >= 0);

-- The org's default budgets: templates, one per (type, period), applied lazily on an agent's
-- first spend to every agent that has no own budget of that type and period.
CREATE TABLE default_budget (
    org_id      text          NOT NULL REFERENCES org (id),
    budget_type text          NOT NULL CHECK (budget_type IN ('cost', 'tokens', 'input_tokens', 'output_tokens', 'requests')),
    period      text          NOT NULL CHECK (period IN ('hourly', 'daily', 'monthly', 'total')),
    limit_value numeric(38,9) NOT NULL CHECK (limit_value > 0),
    timezone    text          NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, budget_type, period)
);
