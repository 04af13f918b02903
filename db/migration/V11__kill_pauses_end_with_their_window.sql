-- A pause made by an alert rule's kill action ends with the budget window that fired it
-- (ADR 0011): the agent is stopped for the rest of that window, as an exhausted budget stops it,
-- not until someone remembers to resume it. An admin's own pause (POST /v1/agents/{name}/pause)
-- and a kill on a total budget have no end (paused_until is null). The expiry sweeper lifts
-- pauses whose end has passed.
ALTER TABLE agent ADD COLUMN paused_until timestamptz,
                  ADD CONSTRAINT agent_pause_until_shape CHECK (paused_at IS NOT NULL OR paused_until IS NULL);
CREATE INDEX agent_pause_ends ON agent (paused_until) WHERE paused_until IS NOT NULL;
