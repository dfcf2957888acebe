-- wxpay plugin schema V3 for MariaDB and MySQL: leases on outbox entries, so that one node at a
-- time delivers an entry, and the DEAD state (a value of state; no DDL needed). Idempotent
-- (IF NOT EXISTS) because these databases commit DDL at once. Independent of V2: applies before
-- or after it. DATETIME, never TIMESTAMP: instants are stored in UTC.

ALTER TABLE wxpay_outbox ADD COLUMN IF NOT EXISTS lease_owner VARCHAR(64) NULL;
ALTER TABLE wxpay_outbox ADD COLUMN IF NOT EXISTS lease_until DATETIME(3) NULL;
CREATE INDEX IF NOT EXISTS wxpay_outbox_ix_state_id ON wxpay_outbox (state, id);
