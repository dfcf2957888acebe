-- wxpay plugin schema V4 for MariaDB: the admin console. Idempotent (IF NOT EXISTS) because
-- MariaDB commits DDL at once; ADD COLUMN IF NOT EXISTS and CREATE INDEX IF NOT EXISTS are
-- MariaDB's (MySQL 8 has neither: there, run the statements by hand once). Touches only V1's
-- tables, so it applies whether or not V2 and V3 are there yet. Statements end with a semicolon
-- at the end of a line; no semicolon inside a statement. Instants in UTC in DATETIME columns.

-- Cluster-wide settings (the on/off switch), read by every node; with who changed them and when.
CREATE TABLE IF NOT EXISTS wxpay_setting (
    name          VARCHAR(64)  NOT NULL PRIMARY KEY,
    setting_value VARCHAR(200) NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    updated_by    VARCHAR(200) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What admins did in the console: switch, anomaly handled, replay.
CREATE TABLE IF NOT EXISTS wxpay_audit (
    id     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    acted_at DATETIME(3) NOT NULL,
    actor  VARCHAR(200) NOT NULL,
    action VARCHAR(32)  NOT NULL,
    target VARCHAR(200),
    detail VARCHAR(200),
    INDEX wxpay_audit_ix_at (acted_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Who marked an anomaly handled, and when.
ALTER TABLE wxpay_anomaly ADD COLUMN IF NOT EXISTS handled_at DATETIME(3) NULL;
ALTER TABLE wxpay_anomaly ADD COLUMN IF NOT EXISTS handled_by VARCHAR(200) NULL;

-- The console searches the notify log by transaction id.
CREATE INDEX IF NOT EXISTS wxpay_notify_log_ix_business ON wxpay_notify_log (business_key);
