package io.shopplug.wxpay;

import java.sql.SQLException;

/** Reads JDBC failures through their wrappers (MyBatis, HikariCP) without printing any value. */
final class SqlErrors {
    private static final int MAX_DEPTH = 20;

    private SqlErrors() {
    }

    /**
     * True if an {@link SQLException} with SQLState class {@code 23} (integrity constraint
     * violation) is on the cause chain; the same test on H2, MariaDB/MySQL and PostgreSQL.
     */
    static boolean isConstraintViolation(Throwable e) {
        return hasSqlStateClass(e, "23");
    }

    /**
     * True if an {@link SQLException} with SQLState class {@code 40} (transaction rollback: the
     * database chose this transaction as a deadlock's victim, or could not serialise it) is on the
     * cause chain; the transaction was rolled back.
     */
    static boolean isTransactionRollback(Throwable e) {
        return hasSqlStateClass(e, "40");
    }

    private static boolean hasSqlStateClass(Throwable e, String stateClass) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = next(t), depth++) {
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && state.startsWith(stateClass)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True if an {@link SQLException} on the chain says the connection itself is broken: SQLState
     * class {@code 08}, or H2's connection broken / database closed ({@code 90067},
     * {@code 90098}, {@code 90121}), which HikariCP does not recognise on its own.
     */
    static boolean isBrokenConnection(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = next(t), depth++) {
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("90067")
                        || state.equals("90098") || state.equals("90121"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True if any {@link SQLException} is on the cause chain. */
    static boolean hasSqlException(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = next(t), depth++) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exception classes and SQLStates of the chain: enough to diagnose, never a message
     * (which may hold a value, SQL or a URL).
     */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = next(t), depth++) {
            if (depth > 0) {
                out.append(" <- ");
            }
            out.append(t.getClass().getSimpleName());
            if (t instanceof SQLException) {
                out.append(" SQLState ").append(((SQLException) t).getSQLState());
            }
        }
        return out.toString();
    }

    private static Throwable next(Throwable t) {
        if (t.getCause() == null && t instanceof SQLException) {
            return ((SQLException) t).getNextException();
        }
        return t.getCause();
    }
}
