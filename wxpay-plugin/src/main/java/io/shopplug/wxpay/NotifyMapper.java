package io.shopplug.wxpay;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Param;

/**
 * SQL for the notify tables ({@code NotifyMapper.xml} beside this interface). Portable across
 * H2, MariaDB/MySQL and PostgreSQL. Only {@link NotifyStore} uses it.
 */
interface NotifyMapper {

    int countTransactions(@Param("kind") EventKind kind, @Param("businessKey") String businessKey);

    /** Inserts {@code row} (see the XML for its keys) and puts the generated id under {@code id}. */
    void insertTransaction(Map<String, Object> row);

    /** The row id of the recorded payment with this transaction id, or null. */
    Long findPaymentId(@Param("transactionId") String transactionId);

    /**
     * The payment row {@code id} ({@code outTradeNo, merchantId, amountFen, currency}), locked
     * until the transaction ends.
     */
    Map<String, Object> lockPayment(@Param("id") long id);

    /** The refunds recorded for this transaction id ({@code businessKey, amountFen}), by a locking read. */
    List<Map<String, Object>> lockRefunds(@Param("transactionId") String transactionId);

    /** Inserts a PENDING entry from {@code row} and puts the generated id under {@code id}. */
    void insertOutbox(Map<String, Object> row);

    int bumpAnomaly(@Param("kind") EventKind kind, @Param("businessKey") String businessKey,
            @Param("reason") Reason reason, @Param("now") Instant now);

    void insertAnomaly(@Param("n") Map<String, Object> notification, @Param("reason") Reason reason,
            @Param("now") Instant now);

    void insertNotifyLog(NotifyLog.Row row);

    /**
     * The received time of the notify log row {@code offset} places after the oldest one received
     * after {@code after} (null: any) and before {@code before}.
     */
    Instant selectNotifyLogTime(@Param("after") Instant after, @Param("before") Instant before,
            @Param("offset") int offset);

    /** Deletes the notify log rows received after {@code after} (null: any) and before {@code until} (or at it, if {@code inclusive}). */
    int deleteNotifyLog(@Param("after") Instant after, @Param("until") Instant until,
            @Param("inclusive") boolean inclusive);

    Delivery selectDelivery(@Param("id") long outboxId);

    List<Long> selectDue(@Param("now") Instant now, @Param("limit") int limit);

    /** Takes the lease of a due, unleased (or expired) PENDING/FAILED entry; 1 if taken. */
    int claim(@Param("id") long outboxId, @Param("owner") String owner, @Param("now") Instant now,
            @Param("until") Instant leaseUntil);

    int renewLeases(@Param("owner") String owner, @Param("ids") List<Long> outboxIds,
            @Param("until") Instant leaseUntil);

    int releaseLease(@Param("id") long outboxId, @Param("owner") String owner);

    /**
     * With {@code orUnheldPending}, also marks a PENDING entry nobody holds (see the XML). Leaves
     * {@code mark} (null for none) in {@code lease_owner} until {@link #clearDeliveryMark}.
     */
    int markDelivered(@Param("id") long outboxId, @Param("owner") String owner, @Param("mark") String mark,
            @Param("now") Instant now, @Param("orUnheldPending") boolean orUnheldPending);

    /** Clears the mark {@link #markDelivered} left; 1 if it was still there. */
    int clearDeliveryMark(@Param("id") long outboxId, @Param("mark") String mark);

    int markFailed(@Param("id") long outboxId, @Param("owner") String owner, @Param("now") Instant now,
            @Param("orUnheldPending") boolean orUnheldPending, @Param("error") String error,
            @Param("next") Instant nextAttemptAt, @Param("maxAttempts") int maxAttempts);

    List<DeadLetter> selectDeadLetters(@Param("limit") int limit);

    int replayDead(@Param("id") Long outboxIdOrNullForAll, @Param("now") Instant now);
}
