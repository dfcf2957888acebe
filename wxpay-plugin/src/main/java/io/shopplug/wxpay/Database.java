package io.shopplug.wxpay;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.apache.ibatis.type.JdbcType;

/**
 * The plugin's MyBatis set-up, built in code (no {@code mybatis-config.xml}): JDBC transactions
 * on the given {@link DataSource}, {@link UtcInstantTypeHandler} for every {@link Instant}, and
 * the plugin's mappers. Building opens no connection. Thread-safe.
 */
final class Database implements AutoCloseable {
    /** Default for the statement timeout: 10 seconds. */
    static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);

    private final DataSource dataSource;
    private final SqlSessionFactory sessionFactory;

    /**
     * @param dataSource where the plugin's tables live (see {@link DataSources#open})
     * @param statementTimeout the longest a single statement may run or wait for a lock (whole
     *     seconds, at least one), so a stuck database cannot hold request threads indefinitely
     */
    Database(DataSource dataSource, Duration statementTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        long seconds = Objects.requireNonNull(statementTimeout, "statementTimeout").getSeconds();
        if (seconds < 1 || seconds > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("wxpay: statement timeout must be at least 1 s");
        }
        Configuration configuration = new Configuration(
                new Environment("wxpay", new JdbcTransactionFactory(), dataSource));
        configuration.setDefaultStatementTimeout((int) seconds);
        configuration.setMapUnderscoreToCamelCase(true);
        UtcInstantTypeHandler instants = new UtcInstantTypeHandler();
        configuration.getTypeHandlerRegistry().register(Instant.class, instants);
        configuration.getTypeHandlerRegistry().register(Instant.class, JdbcType.TIMESTAMP, instants);
        configuration.addMapper(NotifyMapper.class);
        configuration.addMapper(ReconcileMapper.class);
        configuration.addMapper(ConsoleMapper.class);
        this.sessionFactory = new SqlSessionFactoryBuilder().build(configuration);
    }

    DataSource dataSource() {
        return dataSource;
    }

    SqlSessionFactory sessionFactory() {
        return sessionFactory;
    }

    /** Closes the DataSource only if {@link DataSources#open} built it; never the host's. */
    @Override
    public void close() {
        DataSources.close(dataSource);
    }
}
