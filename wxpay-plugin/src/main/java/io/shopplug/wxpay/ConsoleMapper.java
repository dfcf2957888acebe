package io.shopplug.wxpay;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;

/**
 * SQL for the admin console ({@code ConsoleMapper.xml} beside this interface): reads of the
 * notify tables, the cluster-wide settings and the audit trail. Portable across H2,
 * MariaDB/MySQL and PostgreSQL. Only {@link ConsoleStore} uses it.
 */
interface ConsoleMapper {

    int ping();

    /** Newest first, at most {@code q.limit} rows. */
    List<ConsoleRows.LogEntry> searchLog(ConsoleRows.LogQuery q);

    ConsoleRows.LogEntry logEntry(@Param("id") long id);

    List<ConsoleRows.TransactionRow> transactionsByKey(@Param("businessKey") String businessKey);

    /** Newest first; {@code handled} null lists both. */
    List<ConsoleRows.AnomalyRow> anomalies(@Param("handled") Boolean handled,
            @Param("beforeId") Long beforeId, @Param("limit") int limit);

    ConsoleRows.AnomalyRow anomaly(@Param("id") long id);

    long countOpenAnomalies();

    /** Marks an open anomaly handled; 0 when it does not exist or is already handled. */
    int markHandled(@Param("id") long id, @Param("by") String by, @Param("now") Instant now);

    ConsoleRows.OutboxStats outboxStats();

    ConsoleRows.Setting setting(@Param("name") String name);

    int updateSetting(@Param("name") String name, @Param("value") String value,
            @Param("by") String by, @Param("now") Instant now);

    void insertSetting(@Param("name") String name, @Param("value") String value,
            @Param("by") String by, @Param("now") Instant now);

    void insertAudit(@Param("now") Instant now, @Param("actor") String actor,
            @Param("action") String action, @Param("target") String target,
            @Param("detail") String detail);

    List<ConsoleRows.AuditRow> recentAudit(@Param("limit") int limit);
}
