-- wxpay plugin schema V1 for MariaDB and MySQL. Idempotent (IF NOT EXISTS) because these
-- databases commit DDL at once. Statements end with a semicolon at the end of a line; no
-- semicolon inside a statement. Instants are stored in UTC in DATETIME columns (never
-- TIMESTAMP, which the server converts by its time zone). utf8mb4_bin: keys compare exactly,
-- as on H2 and PostgreSQL, not case-insensitively.

CREATE TABLE IF NOT EXISTS wxpay_transaction (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_kind     VARCHAR(16)  NOT NULL,
    business_key   VARCHAR(64)  NOT NULL,
    api            VARCHAR(8)   NOT NULL,
    transaction_id VARCHAR(64)  NOT NULL,
    out_trade_no   VARCHAR(64)  NOT NULL,
    merchant_id    VARCHAR(32)  NOT NULL,
    app_id         VARCHAR(64)  NOT NULL,
    amount_fen     BIGINT       NOT NULL,
    currency       VARCHAR(8)   NOT NULL,
    event_time     DATETIME(3)  NOT NULL,
    recorded_at    DATETIME(3)  NOT NULL,
    payload        MEDIUMTEXT   NOT NULL,
    CONSTRAINT wxpay_transaction_uk_business UNIQUE (business_key, event_kind),
    INDEX wxpay_transaction_ix_order (out_trade_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS wxpay_outbox (
    id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    transaction_ref BIGINT        NOT NULL,
    listener        VARCHAR(200)  NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3)   NOT NULL,
    last_error      VARCHAR(1000),
    created_at      DATETIME(3)   NOT NULL,
    delivered_at    DATETIME(3),
    CONSTRAINT wxpay_outbox_uk_listener UNIQUE (transaction_ref, listener),
    CONSTRAINT wxpay_outbox_fk_transaction FOREIGN KEY (transaction_ref) REFERENCES wxpay_transaction (id),
    INDEX wxpay_outbox_ix_due (state, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS wxpay_anomaly (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_kind    VARCHAR(16)  NOT NULL,
    business_key  VARCHAR(64)  NOT NULL,
    reason        VARCHAR(32)  NOT NULL,
    out_trade_no  VARCHAR(64)  NOT NULL,
    amount_fen    BIGINT       NOT NULL,
    currency      VARCHAR(8)   NOT NULL,
    first_seen_at DATETIME(3)  NOT NULL,
    last_seen_at  DATETIME(3)  NOT NULL,
    occurrences   INT          NOT NULL,
    handled       BOOLEAN      NOT NULL DEFAULT FALSE,
    CONSTRAINT wxpay_anomaly_uk_business UNIQUE (business_key, event_kind, reason)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS wxpay_notify_log (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_at  DATETIME(3)  NOT NULL,
    api          VARCHAR(8),
    outcome      VARCHAR(16)  NOT NULL,
    reason       VARCHAR(32),
    out_trade_no VARCHAR(64),
    business_key VARCHAR(64),
    remote_addr  VARCHAR(64),
    INDEX wxpay_notify_log_ix_received (received_at),
    INDEX wxpay_notify_log_ix_order (out_trade_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
