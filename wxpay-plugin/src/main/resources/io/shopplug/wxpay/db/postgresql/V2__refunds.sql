-- wxpay plugin schema V2 for PostgreSQL: what a refund needs on wxpay_transaction. Runs in one
-- transaction (PostgreSQL DDL is transactional). Payments leave out_refund_no and payment_fen
-- empty. Statements end with a semicolon at the end of a line; no semicolon inside a statement.

ALTER TABLE wxpay_transaction
    ADD COLUMN IF NOT EXISTS out_refund_no VARCHAR(64),
    ADD COLUMN IF NOT EXISTS payment_fen BIGINT,
    ADD COLUMN IF NOT EXISTS sp_merchant_id VARCHAR(32);
-- The refunds of one payment are found (and locked) by its transaction id.
CREATE INDEX IF NOT EXISTS wxpay_transaction_ix_transaction ON wxpay_transaction (transaction_id);
