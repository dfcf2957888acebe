-- Test only (SchemaMigratorTest): a version that appears after V3 was applied.
CREATE TABLE IF NOT EXISTS wxpay_gap_probe (id INT PRIMARY KEY);
