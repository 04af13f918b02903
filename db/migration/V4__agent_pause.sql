-- An admin's kill switch for one agent (POST /v1/agents/{name}/pause, /resume; ADR 0007).
--
-- The ledger reads these columns with the agent resolution every spend transaction already
-- does, so a pause committed before a request is sent is seen by that request: reservations of
-- a paused agent are refused (429 agent_paused) and its ingests are booked but answered with the
-- 429 that makes the AgentKavach SDK stop. A null paused_at means the agent is not paused.
ALTER TABLE agent ADD COLUMN paused_at     timestamptz,
                  ADD COLUMN paused_reason text,
                  ADD CONSTRAINT agent_pause_shape CHECK (paused_at IS NOT NULL OR paused_reason IS NULL);
