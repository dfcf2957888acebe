package io.shopplug.wxpay;

import java.time.Instant;

/**
 * What the admin console reads from the plugin's tables: one plain row class per query, filled by
 * MyBatis ({@link ConsoleMapper}) through its fields. Rows are snapshots; none holds a secret
 * (payloads were masked before they were stored).
 */
final class ConsoleRows {
    private ConsoleRows() {}

    /** One row of {@code wxpay_notify_log}: what arrived, what was decided and why. */
    static final class LogEntry {
        private long id;
        private Instant receivedAt;
        private String api;
        private String outcome;
        private String reason;
        private String outTradeNo;
        private String businessKey;
        private String remoteAddr;

        long id() { return id; }
        Instant receivedAt() { return receivedAt; }
        String api() { return api; }
        String outcome() { return outcome; }
        /** The {@link Reason} name, or null for an accepted or duplicate notification. */
        String reason() { return reason; }
        String outTradeNo() { return outTradeNo; }
        /** The transaction id (refund id for a refund) the notification carried, if it was read. */
        String businessKey() { return businessKey; }
        String remoteAddr() { return remoteAddr; }
    }

    /** One recorded payment or refund, with the masked payload as it arrived. */
    static final class TransactionRow {
        private long id;
        private String eventKind;
        private String businessKey;
        private String api;
        private String transactionId;
        private String outTradeNo;
        private String merchantId;
        private String appId;
        private long amountFen;
        private String currency;
        private Instant eventTime;
        private Instant recordedAt;
        private String payload;

        long id() { return id; }
        String eventKind() { return eventKind; }
        String businessKey() { return businessKey; }
        String api() { return api; }
        String transactionId() { return transactionId; }
        String outTradeNo() { return outTradeNo; }
        String merchantId() { return merchantId; }
        String appId() { return appId; }
        long amountFen() { return amountFen; }
        String currency() { return currency; }
        Instant eventTime() { return eventTime; }
        Instant recordedAt() { return recordedAt; }
        /** JSON of the notification's fields, sign left out, openids masked. */
        String payload() { return payload; }
    }

    /** One row of {@code wxpay_anomaly}. */
    static final class AnomalyRow {
        private long id;
        private String eventKind;
        private String businessKey;
        private String reason;
        private String outTradeNo;
        private long amountFen;
        private String currency;
        private Instant firstSeenAt;
        private Instant lastSeenAt;
        private int occurrences;
        private boolean handled;
        private Instant handledAt;
        private String handledBy;

        long id() { return id; }
        String eventKind() { return eventKind; }
        String businessKey() { return businessKey; }
        String reason() { return reason; }
        String outTradeNo() { return outTradeNo; }
        long amountFen() { return amountFen; }
        String currency() { return currency; }
        Instant firstSeenAt() { return firstSeenAt; }
        Instant lastSeenAt() { return lastSeenAt; }
        int occurrences() { return occurrences; }
        boolean handled() { return handled; }
        /** When an admin marked it handled; null if not (or if marked outside the console). */
        Instant handledAt() { return handledAt; }
        String handledBy() { return handledBy; }
    }

    /** The outbox at a glance. */
    static final class OutboxStats {
        private long pending;
        private long failed;
        private long dead;
        private Instant oldestUndeliveredAt;

        /** Entries not yet attempted. */
        long pending() { return pending; }
        /** Entries whose last attempt failed and that will be retried. */
        long failed() { return failed; }
        /** Dead letters: given up on, waiting for a human. */
        long dead() { return dead; }
        /** Entries still to deliver: pending and failed. */
        long depth() { return pending + failed; }
        /** When the oldest entry still to deliver was created; null when there is none. */
        Instant oldestUndeliveredAt() { return oldestUndeliveredAt; }
    }

    /** One row of {@code wxpay_setting}. */
    static final class Setting {
        private String name;
        private String settingValue;
        private Instant updatedAt;
        private String updatedBy;

        String name() { return name; }
        String value() { return settingValue; }
        Instant updatedAt() { return updatedAt; }
        String updatedBy() { return updatedBy; }
    }

    /** One row of {@code wxpay_audit}: an admin's action in the console. */
    static final class AuditRow {
        private long id;
        private Instant actedAt;
        private String actor;
        private String action;
        private String target;
        private String detail;

        long id() { return id; }
        Instant actedAt() { return actedAt; }
        String actor() { return actor; }
        String action() { return action; }
        String target() { return target; }
        String detail() { return detail; }
    }

    /** A search of the notify log; null fields do not filter. */
    static final class LogQuery {
        String outTradeNo;
        String businessKey;
        String outcome;
        String reason;
        Instant from;
        Instant to;
        Long beforeId;
        int limit;

        String getOutTradeNo() { return outTradeNo; }
        String getBusinessKey() { return businessKey; }
        String getOutcome() { return outcome; }
        String getReason() { return reason; }
        Instant getFrom() { return from; }
        Instant getTo() { return to; }
        Long getBeforeId() { return beforeId; }
        int getLimit() { return limit; }
    }
}
