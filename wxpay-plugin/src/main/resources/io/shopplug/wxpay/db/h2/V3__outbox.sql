-- wxpay plugin schema V3 for H2: leases on outbox entries, so that one node at a time delivers an
-- entry, and the DEAD state (a value of state; no DDL needed). Idempotent (IF NOT EXISTS)
-- because H2 commits DDL at once. Independent of V2: applies before or after it.

ALTER TABLE wxpay_outbox ADD COLUMN IF NOT EXISTS lease_owner VARCHAR(64);
ALTER TABLE wxpay_outbox ADD COLUMN IF NOT EXISTS lease_until TIMESTAMP(3);
CREATE INDEX IF NOT EXISTS wxpay_outbox_ix_state_id ON wxpay_outbox (state, id);
