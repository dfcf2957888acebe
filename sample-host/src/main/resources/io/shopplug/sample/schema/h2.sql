-- The sample shop's own tables (H2). Applied at start-up; every statement is idempotent.
CREATE TABLE IF NOT EXISTS shop_product (
    id         BIGINT       NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    price_fen  BIGINT       NOT NULL,
    stock      INT          NOT NULL
);
CREATE TABLE IF NOT EXISTS shop_member (
    id         BIGINT       NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    points     BIGINT       DEFAULT 0 NOT NULL
);
CREATE TABLE IF NOT EXISTS shop_order (
    out_trade_no VARCHAR(32)  NOT NULL PRIMARY KEY,
    member_id    BIGINT       NOT NULL REFERENCES shop_member (id),
    product_id   BIGINT       NOT NULL REFERENCES shop_product (id),
    quantity     INT          NOT NULL,
    amount_fen   BIGINT       NOT NULL,
    currency     CHAR(3)      NOT NULL,
    state        VARCHAR(24)  NOT NULL,
    created_at   TIMESTAMP(3) NOT NULL,
    paid_at      TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS shop_applied_event (
    idempotency_key VARCHAR(191) NOT NULL,
    listener        VARCHAR(64)  NOT NULL,
    applied_at      TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (idempotency_key, listener)
);
-- Added with refunds; IF NOT EXISTS so that a shop database from before is upgraded in place.
-- refunded_fen: the order's refunds as the order-status listener has applied them.
ALTER TABLE shop_order ADD COLUMN IF NOT EXISTS refunded_fen BIGINT DEFAULT 0 NOT NULL;
-- The refunds the listeners have seen: each listener sums those it has applied (joined with
-- shop_applied_event) to restore stock and take back points in proportion without rounding drift.
CREATE TABLE IF NOT EXISTS shop_refund (
    idempotency_key VARCHAR(191) NOT NULL PRIMARY KEY,
    refund_id       VARCHAR(64)  NOT NULL,
    out_trade_no    VARCHAR(32)  NOT NULL,
    refund_fen      BIGINT       NOT NULL,
    payment_fen     BIGINT       NOT NULL,
    refunded_at     TIMESTAMP(3)  NOT NULL
);
CREATE INDEX IF NOT EXISTS shop_refund_ix_order ON shop_refund (out_trade_no);
