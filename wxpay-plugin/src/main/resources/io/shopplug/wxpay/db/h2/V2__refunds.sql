-- wxpay plugin schema V2 for H2: what a refund needs on wxpay_transaction. Idempotent
-- (IF NOT EXISTS) because H2 commits DDL at once. Payments leave out_refund_no and payment_fen
-- empty. Statements end with a semicolon at the end of a line; no semicolon inside a statement.

ALTER TABLE wxpay_transaction ADD COLUMN IF NOT EXISTS out_refund_no VARCHAR(64);
ALTER TABLE wxpay_transaction ADD COLUMN IF NOT EXISTS payment_fen BIGINT;
ALTER TABLE wxpay_transaction ADD COLUMN IF NOT EXISTS sp_merchant_id VARCHAR(32);
-- The refunds of one payment are found (and locked) by its transaction id.
CREATE INDEX IF NOT EXISTS wxpay_transaction_ix_transaction ON wxpay_transaction (transaction_id);
