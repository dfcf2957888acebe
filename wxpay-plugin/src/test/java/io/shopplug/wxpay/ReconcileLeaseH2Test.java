package io.shopplug.wxpay;

/** The reconciliation lease on embedded H2. */
final class ReconcileLeaseH2Test extends ReconcileLeaseContract {
    private final Tables tables = Tables.inMemory("lease");

    @Override
    String jdbcUrl() {
        return tables.url();
    }

    @Override
    String user() {
        return "sa";
    }

    @Override
    String password() {
        return "";
    }
}
