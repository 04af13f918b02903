-- Budget ownership and opening balances (ADR 0008).
--
-- managed_by: who last created or changed the budget. PUT /v1/config removes only budgets it
-- owns ('config') that the file no longer mentions; budgets set through the budgets endpoints
-- ('api') or by an SDK's /v1/sync-config ('sdk') survive an apply that does not mention them.
-- Budgets that existed before this column was added are treated as 'api': a cap someone made by
-- hand is never removed by a file that does not mention it.
ALTER TABLE budget ADD COLUMN managed_by text NOT NULL DEFAULT 'api'
    CHECK (managed_by IN ('config', 'api', 'sdk'));

-- Re-creating a removed budget revives its most recently removed row of the same key, so its
-- window counters continue (remove-and-re-add cannot reset spend).
CREATE INDEX budget_removed_by_key ON budget (org_id, scope, period, name) WHERE deleted_at IS NOT NULL;

-- An opening entry carries into a window the spend its scope booked in that period before the
-- budget (or that window of it) existed; it belongs to no reservation.
ALTER TABLE journal_entry ALTER COLUMN reservation_id DROP NOT NULL;
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_kind_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_kind_check
    CHECK (kind IN ('hold', 'commit', 'release', 'expire', 'opening'));
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_opening_shape
    CHECK ((kind = 'opening') = (reservation_id IS NULL));
