package io.shopplug.wxpay;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Finds the plugin's {@link DataSource}: the host's own, else a JNDI name, else a JDBC URL pooled
 * with HikariCP (pool {@code wxpay}). Only a pool opened here is ever closed here. No message
 * written by this class holds a password or the credentials of a JDBC URL.
 */
final class DataSources {
    /** HikariCP refuses a connection timeout below this. */
    static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);
    static final String POOL_NAME = "wxpay";

    private static final Pattern URL_USER_INFO = Pattern.compile("(//)[^/@?;]*@");
    private static final Pattern URL_SECRET_PARAM = Pattern.compile(
            "(?i)([?&;:](?:user|username|password|pwd|pass|passwd)=)[^&;]*");

    private DataSources() {
    }

    /**
     * Returns, in this order: {@code given} if present (the host owns it); else the
     * {@link DataSource} bound to {@code jndiName} if that is not blank; else a new bounded
     * HikariCP pool on {@code jdbcUrl} (which must then not be blank) with {@code user} and
     * {@code password} (either may be null). The pool opens no connection until first asked, so a
     * database that is down does not stop start-up; asking waits at most {@code connectTimeout}
     * (at least 250 ms), so requests fail fast instead of piling up threads.
     *
     * @throws IllegalStateException if nothing is configured, the JNDI lookup fails or does not
     *     name a DataSource, or the pool cannot be built (for instance no driver for the URL)
     * @throws IllegalArgumentException if {@code poolSize < 1} or {@code connectTimeout} is too short
     */
    static DataSource open(Optional<DataSource> given, String jndiName, String jdbcUrl, String user,
            String password, int poolSize, Duration connectTimeout) {
        Objects.requireNonNull(given, "given");
        if (given.isPresent()) {
            return given.get();
        }
        if (!isBlank(jndiName)) {
            return lookup(jndiName.trim());
        }
        if (isBlank(jdbcUrl)) {
            throw new IllegalStateException(
                    "wxpay: no database configured (neither a DataSource, a JNDI name nor a JDBC URL)");
        }
        return pool(jdbcUrl.trim(), user, password, poolSize, connectTimeout);
    }

    /**
     * Closes {@code dataSource} if, and only if, {@link #open} built it as a pool; a host's or a
     * JNDI DataSource is left alone. Null and repeated calls are harmless.
     */
    static void close(DataSource dataSource) {
        if (dataSource instanceof OwnedPool) {
            ((OwnedPool) dataSource).close();
        }
    }

    /**
     * After a broken connection: if {@code dataSource} is a pool {@link #open} built, retires its
     * connections (idle ones now, borrowed ones when returned) so that the next borrower gets a
     * fresh one. HikariCP does this by itself for the SQLStates it knows, not for H2's. A host's or
     * a JNDI DataSource is left alone.
     */
    static void retireConnections(DataSource dataSource) {
        if (dataSource instanceof OwnedPool) {
            com.zaxxer.hikari.HikariPoolMXBean pool = ((OwnedPool) dataSource).getHikariPoolMXBean();
            if (pool != null) {
                pool.softEvictConnections();
            }
        }
    }

    /** True if {@code dataSource} is a pool that {@link #open} built. */
    static boolean isOwned(DataSource dataSource) {
        return dataSource instanceof OwnedPool;
    }

    /** {@code jdbcUrl} with its user info and user/password parameters replaced by {@code ***}. */
    static String redact(String jdbcUrl) {
        if (jdbcUrl == null) {
            return null;
        }
        String s = URL_USER_INFO.matcher(jdbcUrl).replaceAll("$1***@");
        return URL_SECRET_PARAM.matcher(s).replaceAll("$1***");
    }

    private static DataSource lookup(String name) {
        Object found;
        try {
            InitialContext context = new InitialContext();
            try {
                found = context.lookup(name);
            } finally {
                context.close();
            }
        } catch (NamingException e) {
            throw new IllegalStateException("wxpay: JNDI lookup of '" + name + "' failed", e);
        }
        if (!(found instanceof DataSource)) {
            throw new IllegalStateException("wxpay: JNDI name '" + name + "' is bound to "
                    + (found == null ? "null" : found.getClass().getName()) + ", not a DataSource");
        }
        return (DataSource) found;
    }

    private static DataSource pool(String url, String user, String password, int poolSize,
            Duration connectTimeout) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("wxpay: pool size must be at least 1, was " + poolSize);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.compareTo(MIN_CONNECT_TIMEOUT) < 0) {
            throw new IllegalArgumentException("wxpay: connect timeout must be at least "
                    + MIN_CONNECT_TIMEOUT.toMillis() + " ms, was " + connectTimeout.toMillis() + " ms");
        }
        long timeoutMs = connectTimeout.toMillis();
        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        String driver = knownDriver(url);
        if (driver != null) {
            // In a servlet container DriverManager may not see a driver in the webapp; name it.
            config.setDriverClassName(driver);
        }
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(timeoutMs);
        config.setValidationTimeout(Math.min(timeoutMs, 5_000L));
        // Build the pool without connecting: a database that is down fails requests, not start-up.
        config.setInitializationFailTimeout(-1);
        try {
            return new OwnedPool(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("wxpay: could not build the connection pool for "
                    + redact(url) + ": " + safeMessage(e, url, user, password));
        }
    }

    /** The driver class for a URL prefix we know, if it can be loaded here; else null. */
    private static String knownDriver(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        String name = u.startsWith("jdbc:h2:") ? "org.h2.Driver"
                : u.startsWith("jdbc:mariadb:") ? "org.mariadb.jdbc.Driver"
                : u.startsWith("jdbc:mysql:") ? "com.mysql.cj.jdbc.Driver"
                : u.startsWith("jdbc:postgresql:") ? "org.postgresql.Driver"
                : null;
        if (name == null) {
            return null;
        }
        for (ClassLoader loader : new ClassLoader[] {
                DataSources.class.getClassLoader(), Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                Class.forName(name, false, loader);
                return name;
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next loader
            }
        }
        return null;
    }

    /** The messages of the cause chain with the URL, user and password masked. */
    private static String safeMessage(Throwable e, String url, String user, String password) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = t.getCause(), depth++) {
            if (depth > 0) {
                out.append(" <- ");
            }
            out.append(t.getClass().getSimpleName());
            String m = t.getMessage();
            if (m != null) {
                m = m.replace(url, redact(url));
                if (password != null && !password.isEmpty()) {
                    m = m.replace(password, "***");
                }
                if (user != null && !user.isEmpty()) {
                    m = m.replace(user, "***");
                }
                out.append(": ").append(redact(m));
            }
        }
        return out.toString();
    }

    private static boolean isBlank(String s) {
        return s == null || s.trim().isEmpty();
    }

    /** A pool opened by this class; the type marks who may close it. */
    private static final class OwnedPool extends HikariDataSource {
        OwnedPool(HikariConfig config) {
            super(config);
        }
    }
}
