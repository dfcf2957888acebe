package io.shopplug.wxpay;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Param;

/**
 * SQL for the reconciliation tables ({@code ReconcileMapper.xml} beside this interface): the
 * lease, the runs and what they found. Portable across H2, MariaDB/MySQL and PostgreSQL. Only
 * {@link ReconcileStore} uses it.
 */
interface ReconcileMapper {

    int extendLease(@Param("name") String name, @Param("owner") String owner, @Param("until") Instant until,
            @Param("now") Instant now);

    void insertLease(@Param("name") String name, @Param("owner") String owner, @Param("until") Instant until);

    /** Sets {@code lease_until} to {@code until} (in the past) when {@code owner} holds the lease. */
    int releaseLease(@Param("name") String name, @Param("owner") String owner, @Param("until") Instant until);

    int countPayments(@Param("outTradeNo") String outTradeNo);

    /** Inserts from {@code row} ({@code node}, {@code startedAt}) and puts the generated id under {@code id}. */
    void insertRun(Map<String, Object> row);

    int finishRun(Map<String, Object> row);

    void insertFinding(Map<String, Object> row);

    List<ReconcileRun> selectRecentRuns(@Param("limit") int limit);

    List<ReconcileRun.Finding> selectFindings(@Param("runId") long runId);

    int deleteFindingsOfRunsBefore(@Param("before") Instant before);

    int deleteRunsBefore(@Param("before") Instant before);
}
