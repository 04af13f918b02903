-- The lean textbook baseline (issue 15) for the hot pool: one transaction per reservation that
-- locks and updates the three hot rows a reservation touches — the agent's own budget window,
-- the pool's and the org budget's — in id order, each only if the hold still fits, and inserts
-- one reservation row. No journal entry, no agent lookup: the least a correct one-transaction
-- admission can do. Variables (pgbench -D): agent_id, org_id, w1 < w2 < w3 (window ids).
BEGIN;
UPDATE budget_window SET reserved = reserved + 0.000001 WHERE id = :w1 AND spent + reserved + 0.000001 <= limit_value;
UPDATE budget_window SET reserved = reserved + 0.000001 WHERE id = :w2 AND spent + reserved + 0.000001 <= limit_value;
UPDATE budget_window SET reserved = reserved + 0.000001 WHERE id = :w3 AND spent + reserved + 0.000001 <= limit_value;
INSERT INTO reservation (id, org_id, agent_id, status, amount, window_ids, ttl_seconds, expires_at, created_at)
VALUES (gen_random_uuid(), :org_id, :agent_id, 'pending', 0.000001, ARRAY[:w1, :w2, :w3]::bigint[], 3600,
        now() + interval '1 hour', now());
END;
