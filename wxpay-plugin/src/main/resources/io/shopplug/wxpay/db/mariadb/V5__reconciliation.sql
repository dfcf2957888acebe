-- wxpay plugin schema V5 for MariaDB and MySQL: reconciliation. A named lease so that one node at
-- a time runs it, one row per run, and one row per payment a run found. Idempotent (IF NOT
-- EXISTS) because these databases commit DDL at once. Independent of V2 to V4: applies before or
-- after them. DATETIME(3) in UTC, utf8mb4_bin, as in V1.

CREATE TABLE IF NOT EXISTS wxpay_lease (
    name        VARCHAR(64)  NOT NULL PRIMARY KEY,
    owner       VARCHAR(200) NOT NULL,
    lease_until DATETIME(3)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS wxpay_reconcile_run (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    node             VARCHAR(200)  NOT NULL,
    started_at       DATETIME(3)   NOT NULL,
    finished_at      DATETIME(3),
    orders_queried   INT           NOT NULL DEFAULT 0,
    payments_found   INT           NOT NULL DEFAULT 0,
    payments_applied INT           NOT NULL DEFAULT 0,
    errors           INT           NOT NULL DEFAULT 0,
    last_error       VARCHAR(1000),
    INDEX wxpay_reconcile_run_ix_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS wxpay_reconcile_finding (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    run_id         BIGINT       NOT NULL,
    found_at       DATETIME(3)  NOT NULL,
    api            VARCHAR(8)   NOT NULL,
    out_trade_no   VARCHAR(64)  NOT NULL,
    transaction_id VARCHAR(64)  NOT NULL,
    amount_fen     BIGINT       NOT NULL,
    outcome        VARCHAR(16)  NOT NULL,
    reason         VARCHAR(32),
    CONSTRAINT wxpay_reconcile_finding_fk_run FOREIGN KEY (run_id) REFERENCES wxpay_reconcile_run (id),
    INDEX wxpay_reconcile_finding_ix_run (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
