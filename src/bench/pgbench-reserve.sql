-- The heavier one-transaction-per-reservation loop for the hot pool (pgbench script): lock the
-- agent row, then the agent's, the pool's and the org budget's current windows (SELECT ... FOR
-- UPDATE in id order), add the hold to the three windows' reserved, and record the hold
-- (reservation row + journal entry, as the service does). Variables (pgbench -D): agent_id,
-- w1 < w2 < w3 (window ids). src/bench/pgbench-lean.sql is the lean reference.
BEGIN;
SELECT id FROM agent WHERE id = :agent_id FOR UPDATE;
SELECT id, limit_value, spent, reserved FROM budget_window WHERE id IN (:w1, :w2, :w3) ORDER BY id FOR UPDATE;
UPDATE budget_window SET reserved = reserved + 0.000001
 WHERE id IN (:w1, :w2, :w3) AND spent + reserved + 0.000001 <= limit_value;
WITH hold AS (
  INSERT INTO reservation (id, org_id, agent_id, status, amount, window_ids, ttl_seconds, expires_at, created_at)
  SELECT gen_random_uuid(), a.org_id, a.id, 'pending', 0.000001, ARRAY[:w1, :w2, :w3]::bigint[], 3600,
         now() + interval '1 hour', now()
    FROM agent a WHERE a.id = :agent_id
  RETURNING id, org_id, window_ids, amount)
INSERT INTO journal_entry (org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta)
SELECT org_id, 'hold', id, window_ids, amount, 0 FROM hold;
END;
