package io.shopplug.wxpay;

/**
 * The configuration keys, all under {@code wxpay.}. Each is read, in increasing precedence, from
 * {@code wxpay.properties} on the webapp's class path, {@code /WEB-INF/wxpay.properties}, the file
 * named by {@link #CONFIG_FILE}, the environment ({@code wxpay.mch-id} → {@code WXPAY_MCH_ID}) and
 * Java system properties. A secret may instead be read from a file: the same key with
 * {@code -file} appended ({@code wxpay.api-v2-key-file=/run/secrets/wxpay-v2}).
 */
final class Settings {
    private Settings() {}

    /** A properties file to read, in addition to the class path and WEB-INF. No default. */
    static final String CONFIG_FILE = "wxpay.config-file";

    /** The merchant id ({@code mch_id}), digits. Required. */
    static final String MCH_ID = "wxpay.mch-id";

    /** The app id ({@code appid}) payments are made through. Required. */
    static final String APP_ID = "wxpay.app-id";

    /** The 32-character APIv2 key. Secret; may come from {@code wxpay.api-v2-key-file}. Required. */
    static final String API_V2_KEY = "wxpay.api-v2-key";

    /** The sign type used when placing orders: {@code MD5} or {@code HMAC-SHA256}. Default {@code MD5}. */
    static final String SIGN_TYPE = "wxpay.sign-type";

    /** The path (inside the webapp) that receives notifications. Default {@code /wxpay/notify}. */
    static final String NOTIFY_PATH = "wxpay.notify-path";

    /** The largest notification body accepted, in bytes. Default {@code 65536}. */
    static final String MAX_BODY_BYTES = "wxpay.max-body-bytes";

    /** Whether notifications are handled at all; ANDed with the host's switch. Default {@code true}. */
    static final String ENABLED = "wxpay.enabled";

    /**
     * Whether the {@code ServletContainerInitializer} starts the plugin by itself. Set it to
     * {@code false} in a host that starts plugins through {@code ShopPlugin}. Default {@code true}.
     */
    static final String AUTOSTART = "wxpay.autostart";

    /** JNDI name of the DataSource, used when the host hands none. No default. */
    static final String DB_JNDI = "wxpay.db.jndi";

    /**
     * JDBC URL, used when neither the host nor JNDI gives a DataSource. Default: an embedded H2
     * database, {@code jdbc:h2:file:./data/wxpay;DB_CLOSE_ON_EXIT=FALSE}.
     */
    static final String DB_URL = "wxpay.db.url";

    /** Database user for {@link #DB_URL}. Default empty. */
    static final String DB_USER = "wxpay.db.user";

    /** Database password for {@link #DB_URL}. Secret; may come from a file. Default empty. */
    static final String DB_PASSWORD = "wxpay.db.password";

    /** Connection pool size for {@link #DB_URL}. Default {@code 10}. */
    static final String DB_POOL_SIZE = "wxpay.db.pool-size";

    /** How long a notify waits for a database connection before answering "retry later", ms. Default {@code 2000}. */
    static final String DB_CONNECT_TIMEOUT_MS = "wxpay.db.connect-timeout-ms";

    /** Whether the plugin applies its schema scripts at start. Default {@code true}. */
    static final String DB_MIGRATE = "wxpay.db.migrate";

    /** Worker threads delivering recorded events to the host's listeners. Default {@code 4}. */
    static final String DISPATCH_THREADS = "wxpay.dispatch.threads";

    static final String DEFAULT_DB_URL = "jdbc:h2:file:./data/wxpay;DB_CLOSE_ON_EXIT=FALSE";
}
