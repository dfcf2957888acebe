-- The sample shop's own tables (MariaDB or MySQL, InnoDB). Applied at start-up; every statement
-- is idempotent. DATETIME, not TIMESTAMP: no implicit defaults and no time-zone conversion (UTC is
-- written). Foreign keys at table level: older MariaDB ignores inline REFERENCES.
CREATE TABLE IF NOT EXISTS shop_product (
    id         BIGINT       NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    price_fen  BIGINT       NOT NULL,
    stock      INT          NOT NULL
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS shop_member (
    id         BIGINT       NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    points     BIGINT       DEFAULT 0 NOT NULL
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS shop_order (
    out_trade_no VARCHAR(32)  NOT NULL PRIMARY KEY,
    member_id    BIGINT       NOT NULL,
    product_id   BIGINT       NOT NULL,
    quantity     INT          NOT NULL,
    amount_fen   BIGINT       NOT NULL,
    currency     CHAR(3)      NOT NULL,
    state        VARCHAR(24)  NOT NULL,
    created_at   DATETIME(3)  NOT NULL,
    paid_at      DATETIME(3),
    FOREIGN KEY (member_id) REFERENCES shop_member (id),
    FOREIGN KEY (product_id) REFERENCES shop_product (id)
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS shop_applied_event (
    idempotency_key VARCHAR(191) NOT NULL,
    listener        VARCHAR(64)  NOT NULL,
    applied_at      DATETIME(3)  NOT NULL,
    PRIMARY KEY (idempotency_key, listener)
) ENGINE = InnoDB;
-- Added with refunds; IF NOT EXISTS so that a shop database from before is upgraded in place.
-- refunded_fen: the order's refunds as the order-status listener has applied them.
ALTER TABLE shop_order ADD COLUMN IF NOT EXISTS refunded_fen BIGINT NOT NULL DEFAULT 0;
-- The refunds the listeners have seen: each listener sums those it has applied (joined with
-- shop_applied_event) to restore stock and take back points in proportion without rounding drift.
CREATE TABLE IF NOT EXISTS shop_refund (
    idempotency_key VARCHAR(191) NOT NULL PRIMARY KEY,
    refund_id       VARCHAR(64)  NOT NULL,
    out_trade_no    VARCHAR(32)  NOT NULL,
    refund_fen      BIGINT       NOT NULL,
    payment_fen     BIGINT       NOT NULL,
    refunded_at     DATETIME(3)  NOT NULL,
    INDEX shop_refund_ix_order (out_trade_no)
) ENGINE = InnoDB;
