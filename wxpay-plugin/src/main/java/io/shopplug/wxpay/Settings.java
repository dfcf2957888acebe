package io.shopplug.wxpay;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Several merchants: their names, comma-separated; each merchant's keys are then read under
     * {@code wxpay.merchant.<name>.} ({@code wxpay.merchant.hk.mch-id}, ...) instead of {@code wxpay.}.
     * Unset: one merchant, from the keys below.
     */
    static final String MERCHANTS = "wxpay.merchants";

    /** The prefix of a named merchant's keys. */
    static final String MERCHANT_PREFIX = "wxpay.merchant.";

    /**
     * A named merchant's keys, each under {@link #MERCHANT_PREFIX}{@code <name>.}; the single
     * merchant's are the same under {@code wxpay.}, its path being {@link #NOTIFY_PATH}.
     */
    static final List<String> MERCHANT_KEYS = List.of("mch-id", "app-id", "api-v2-key", "api-v2-key-file",
            "api-v3-key", "api-v3-key-file", "platform-cert-files", "public-key-id", "public-key-file",
            "private-key-file", "cert-serial", "sub-mch-ids", "sign-type", "notify-path");

    /** The merchant id ({@code mch_id}), digits. Required. */
    static final String MCH_ID = "wxpay.mch-id";

    /** The app id(s) ({@code appid}) payments are made through, comma-separated. Required. */
    static final String APP_ID = "wxpay.app-id";

    /** The 32-character APIv2 key. Secret; may come from {@code wxpay.api-v2-key-file}. */
    static final String API_V2_KEY = "wxpay.api-v2-key";

    /** The 32-byte APIv3 key. Secret; may come from {@code wxpay.api-v3-key-file}. One of the two keys is required. */
    static final String API_V3_KEY = "wxpay.api-v3-key";

    /** PEM files of WeChat Pay platform certificates, comma-separated (certificate mode). */
    static final String PLATFORM_CERT_FILES = "wxpay.platform-cert-files";

    /** The WeChat Pay public-key id, {@code PUB_KEY_ID_...} (public-key mode); with {@link #PUBLIC_KEY_FILE}. */
    static final String PUBLIC_KEY_ID = "wxpay.public-key-id";

    /** The PEM file of the WeChat Pay public key (public-key mode). */
    static final String PUBLIC_KEY_FILE = "wxpay.public-key-file";

    /** The merchant's API private key (PEM), to sign requests to WeChat Pay; with {@link #CERT_SERIAL}. */
    static final String PRIVATE_KEY_FILE = "wxpay.private-key-file";

    /** The serial number of the merchant's API certificate. */
    static final String CERT_SERIAL = "wxpay.cert-serial";

    /** Partner (service provider) mode: the sub-merchant ids accepted, comma-separated. */
    static final String SUB_MCH_IDS = "wxpay.sub-mch-ids";

    /** WeChat Pay's API host. Default {@code https://api.mch.weixin.qq.com}. */
    static final String API_BASE_URL = "wxpay.api-base-url";

    /** The sign type used when placing orders: {@code MD5} or {@code HMAC-SHA256}. Default {@code MD5}. */
    static final String SIGN_TYPE = "wxpay.sign-type";

    /**
     * The path (inside the webapp) that receives notifications. Default {@code /wxpay/notify}.
     * Each named merchant may have its own ({@code wxpay.merchant.<name>.notify-path}); merchants
     * sharing a path are told apart by {@code mch_id} (APIv2) or {@code Wechatpay-Serial} (APIv3).
     */
    static final String NOTIFY_PATH = "wxpay.notify-path";

    /**
     * Source allow-list: IP addresses and CIDR ranges, comma-separated, from which notifications
     * are accepted (WeChat Pay publishes its callback ranges; they change). Default empty: any
     * source, so no genuine notification is refused by an outdated list.
     */
    static final String ALLOWED_SOURCES = "wxpay.allowed-sources";

    /**
     * Reverse proxies (IPs and CIDR ranges, comma-separated) whose {@link #CLIENT_IP_HEADER} is
     * believed for the client's address. Default empty: the peer address is the client's.
     */
    static final String TRUSTED_PROXIES = "wxpay.trusted-proxies";

    /** The forwarding header read from trusted proxies. Default {@code X-Forwarded-For}. */
    static final String CLIENT_IP_HEADER = "wxpay.client-ip-header";

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

    /**
     * The path (inside the webapp) of the admin console: status, the cluster-wide on/off switch,
     * the notification log, anomalies, dead letters and metrics, with a JSON API under
     * {@code <path>/api/} and Prometheus text at {@code <path>/metrics}. Only the host's
     * {@link io.shopplug.api.AdminAccess} admins get in; with none configured, nobody does.
     * Default {@code /wxpay/console}.
     */
    static final String CONSOLE_PATH = "wxpay.console.path";

    /**
     * A bearer token that lets a metrics scraper (Prometheus) read {@code <console>/metrics}
     * without an admin login: {@code Authorization: Bearer <token>}, compared in constant time.
     * Secret; may come from {@code wxpay.metrics.token-file}; at least 16 characters. No default:
     * without it only admins read the metrics.
     */
    static final String METRICS_TOKEN = "wxpay.metrics.token";

    /**
     * How many times one listener's delivery of one event is attempted before it is parked as a
     * dead letter ({@code DEAD}, with its last error) for a person to replay. Default {@code 12}
     * (with the back-off, about 35 minutes of retries).
     */
    static final String DISPATCH_MAX_ATTEMPTS = "wxpay.dispatch.max-attempts";

    /**
     * How long a node's claim (lease) on an outbox entry lasts, in ms; the node renews it while a
     * listener runs, and a node that dies loses it after this long, when another node takes the
     * entry over. Default {@code 60000}; at least three sweep intervals.
     */
    static final String DISPATCH_LEASE_MS = "wxpay.dispatch.lease-ms";

    /**
     * How often each node looks for due outbox entries (retries, entries of nodes that died,
     * entries its pool could not take) and renews its leases, in ms. Default {@code 5000}.
     */
    static final String DISPATCH_SWEEP_INTERVAL_MS = "wxpay.dispatch.sweep-interval-ms";

    /**
     * The most notifications handled at once by one node; one more is answered at once with a
     * retryable failure ("too many notifications in flight, retry later") instead of holding a
     * thread, so a notify storm or a slow database cannot pile up the container's threads.
     * Default {@code 64}.
     */
    static final String MAX_CONCURRENT_NOTIFIES = "wxpay.max-concurrent-notifies";

    /**
     * Days a {@code wxpay_notify_log} row is kept; each node deletes older rows every hour.
     * {@code 0} keeps every row. Default {@code 90}.
     */
    static final String NOTIFY_LOG_RETENTION_DAYS = "wxpay.notify-log.retention-days";

    /**
     * Whether reconciliation runs: orders still awaiting payment some time after they were placed
     * are queried at WeChat Pay, and a payment found is applied like a notification. Default
     * {@code true} when the host provides an {@code io.shopplug.api.PendingOrders}; without one it
     * is off whatever this says.
     */
    static final String RECONCILE_ENABLED = "wxpay.reconcile.enabled";

    /** Seconds between two reconciliation runs (on the one node holding the lease). Default {@code 60}. */
    static final String RECONCILE_INTERVAL_SECONDS = "wxpay.reconcile.interval-seconds";

    /**
     * Seconds after an order was placed before reconciliation queries it, so the customer has
     * time to pay and the notification time to arrive. Default {@code 300}.
     */
    static final String RECONCILE_DELAY_SECONDS = "wxpay.reconcile.delay-seconds";

    /**
     * The most orders one run queries at WeChat Pay: a bound on the query rate. Default {@code 100}.
     */
    static final String RECONCILE_MAX_PER_RUN = "wxpay.reconcile.max-per-run";

    /**
     * Orders placed longer ago than this many seconds are no longer queried (an unpaid order
     * expires at WeChat Pay within hours). Must exceed the delay. Default {@code 86400} (a day).
     */
    static final String RECONCILE_MAX_AGE_SECONDS = "wxpay.reconcile.max-age-seconds";

    /** The keys whose value may instead be read from a file named by the key with {@code -file} appended. */
    static final List<String> SECRETS = List.of(API_V2_KEY, API_V3_KEY, DB_PASSWORD, METRICS_TOKEN);

    static final String DEFAULT_DB_URL = "jdbc:h2:file:./data/wxpay;DB_CLOSE_ON_EXIT=FALSE";

    /** Every key outside a named merchant's: each {@code wxpay.} constant above, and a file for each secret. */
    static final List<String> KEYS = keys();

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Field f : Settings.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    String key = (String) f.get(null);
                    if (key.startsWith("wxpay.") && !key.endsWith(".")) {
                        keys.add(key);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (String secret : SECRETS) {
            keys.add(secret + "-file");
        }
        return List.copyOf(keys);
    }
}
