package io.shopplug.sample;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The shop's settings. Each key is read from a system property first, then from an environment
 * variable of the same name upper-cased with dots as underscores ({@code shop.db.url} →
 * {@code SHOP_DB_URL}), then falls back to its default.
 *
 * @param host {@value #HOST}: the address to listen on; default {@code 127.0.0.1}
 * @param port {@value #PORT}: default {@code 8080}; {@code 0} picks a free port
 * @param dbUrl {@value #DB_URL}: JDBC URL (H2, MariaDB or PostgreSQL); default an H2 file under
 *     {@code ./data}
 * @param dbUser {@value #DB_USER}: default {@code sa} for H2, empty otherwise
 * @param dbPassword {@value #DB_PASSWORD}: default empty
 * @param adminUser {@value #ADMIN_USER}: default {@code admin} (demo only)
 * @param adminPassword {@value #ADMIN_PASSWORD}: default {@code admin} (demo only)
 * @param simulatorCompress {@value #SIMULATOR_COMPRESS}: how many times faster than real time the
 *     WeChat Pay simulator runs its retry schedule; default {@code 1}
 * @param simulatorDropNotifications {@value #SIMULATOR_DROP_NOTIFICATIONS}: the simulator loses
 *     every notification (only reconciliation finds the payments); default {@code false}
 * @param reconcileDelaySeconds {@value #RECONCILE_DELAY_SECONDS}: handed to the plugin as
 *     {@code wxpay.reconcile.delay-seconds}; default {@code 300}
 * @param reconcileIntervalSeconds {@value #RECONCILE_INTERVAL_SECONDS}: handed to the plugin as
 *     {@code wxpay.reconcile.interval-seconds}; default {@code 60}
 * @param wxpayApi {@value #WXPAY_API}: which WeChat Pay API the demo pays and notifies with;
 *     default {@code v2}
 * @param wxpayKeyMode {@value #WXPAY_KEY_MODE}: in the APIv3 modes, how WeChat Pay signs;
 *     default {@code certificate}
 * @param wxpaySecondMerchant {@value #WXPAY_SECOND_MERCHANT}: a second demo merchant on the same
 *     notify path; default {@code false}
 * @param dataDir {@value #DATA_DIR}: where the shop writes the files it makes (the simulated
 *     platform certificates and public keys); default {@code ./data}
 * @param wxpayPlatformKeyFile {@value #WXPAY_PLATFORM_KEY_FILE}: a PKCS#8 PEM file with WeChat
 *     Pay's simulated RSA private key, used instead of a key generated at start, so that another
 *     process (a load driver) can sign notifications the shop trusts; created if missing. Only
 *     with {@code shop.wxpay.api=v3}, {@code shop.wxpay.key-mode=public-key} and one merchant.
 *     Default empty: unset
 */
public record ShopSettings(
        String host,
        int port,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String adminUser,
        String adminPassword,
        long simulatorCompress,
        boolean simulatorDropNotifications,
        int reconcileDelaySeconds,
        int reconcileIntervalSeconds,
        WxPayApi wxpayApi,
        KeyMode wxpayKeyMode,
        boolean wxpaySecondMerchant,
        String dataDir,
        String wxpayPlatformKeyFile) {

    /** Listening address; default {@code 127.0.0.1}. */
    public static final String HOST = "shop.host";
    /** HTTP port; default {@code 8080}, {@code 0} for an ephemeral port. */
    public static final String PORT = "shop.port";
    /** JDBC URL; default {@value #DEFAULT_DB_URL}. */
    public static final String DB_URL = "shop.db.url";
    /** Database user; default {@code sa} for H2, empty otherwise. */
    public static final String DB_USER = "shop.db.user";
    /** Database password; default empty. */
    public static final String DB_PASSWORD = "shop.db.password";
    /** Admin user name; default {@code admin} (demo credentials). */
    public static final String ADMIN_USER = "shop.admin.user";
    /** Admin password; default {@code admin} (demo credentials). */
    public static final String ADMIN_PASSWORD = "shop.admin.password";
    /** Time compression of the simulator's retry schedule; default {@code 1} (real time). */
    public static final String SIMULATOR_COMPRESS = "shop.simulator.compress";

    /** Whether the simulator loses every notification; default {@code false}. */
    public static final String SIMULATOR_DROP_NOTIFICATIONS = "shop.simulator.drop-notifications";
    /** Seconds after placing an order before the plugin queries it; default {@code 300}. */
    public static final String RECONCILE_DELAY_SECONDS = "shop.reconcile.delay-seconds";
    /** Seconds between the plugin's reconciliation runs; default {@code 60}. */
    public static final String RECONCILE_INTERVAL_SECONDS = "shop.reconcile.interval-seconds";
    /** WeChat Pay API of the demo: {@code v2} (default), {@code v3} or {@code v3-sm}. */
    public static final String WXPAY_API = "shop.wxpay.api";
    /** APIv3 signing keys: {@code certificate} (default), {@code public-key} or {@code migration}. */
    public static final String WXPAY_KEY_MODE = "shop.wxpay.key-mode";
    /** {@code true}: a second demo merchant, served on the same notify path; default {@code false}. */
    public static final String WXPAY_SECOND_MERCHANT = "shop.wxpay.second-merchant";
    /** Directory for files the shop makes; default {@code ./data}. */
    public static final String DATA_DIR = "shop.data.dir";
    /**
     * WeChat Pay's simulated private key, PKCS#8 PEM, shared with another process; created if
     * missing. Needs {@code shop.wxpay.api=v3}, {@code shop.wxpay.key-mode=public-key} and one
     * merchant. Default unset (a key generated at every start).
     */
    public static final String WXPAY_PLATFORM_KEY_FILE = "shop.wxpay.platform-key-file";

    /** Which WeChat Pay API the demo uses, between the simulator and the plugin. */
    public enum WxPayApi {
        /** XML notifications signed with the APIv2 key. */
        V2("v2"),
        /** JSON notifications signed with RSA, resources in AES-256-GCM. */
        V3("v3"),
        /** The national-standard APIv3: SM2 with SM3 signatures, resources in SM4-GCM. */
        V3_SM("v3-sm");

        private final String value;

        WxPayApi(String value) {
            this.value = value;
        }

        /** The setting's value. */
        public String value() {
            return value;
        }

        public boolean isV3() {
            return this != V2;
        }
    }

    /** How WeChat Pay signs APIv3 notifications to the demo merchants. */
    public enum KeyMode {
        /** A platform certificate; {@code Wechatpay-Serial} is its serial. */
        CERTIFICATE("certificate"),
        /** The WeChat Pay public key; {@code Wechatpay-Serial} is {@code PUB_KEY_ID_...}. */
        PUBLIC_KEY("public-key"),
        /** Both at once, as while WeChat Pay moves a merchant to its public key: notices alternate. */
        MIGRATION("migration");

        private final String value;

        KeyMode(String value) {
            this.value = value;
        }

        /** The setting's value. */
        public String value() {
            return value;
        }
    }

    /** The default database: an H2 file next to the working directory. */
    public static final String DEFAULT_DB_URL = "jdbc:h2:file:./data/shop;DB_CLOSE_ON_EXIT=FALSE";
    static final String DEMO_ADMIN = "admin";

    public ShopSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbUrl, "dbUrl");
        Objects.requireNonNull(dbUser, "dbUser");
        Objects.requireNonNull(dbPassword, "dbPassword");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(PORT + " must be between 0 and 65535");
        }
        if (simulatorCompress < 1) {
            throw new IllegalArgumentException(SIMULATOR_COMPRESS + " must be a whole number >= 1");
        }
        Objects.requireNonNull(wxpayApi, "wxpayApi");
        Objects.requireNonNull(wxpayKeyMode, "wxpayKeyMode");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(wxpayPlatformKeyFile, "wxpayPlatformKeyFile");
        if (wxpayApi == WxPayApi.V3_SM && wxpayKeyMode != KeyMode.CERTIFICATE) {
            throw new IllegalArgumentException(WXPAY_KEY_MODE + " must be certificate with "
                    + WXPAY_API + "=v3-sm (WeChat Pay's public key is RSA)");
        }
        String keyFileProblem = platformKeyFileProblem(wxpayPlatformKeyFile, wxpayApi, wxpayKeyMode,
                wxpaySecondMerchant);
        if (keyFileProblem != null) {
            throw new IllegalArgumentException(keyFileProblem);
        }
    }

    /** Why a platform key file cannot be used with these settings, or null if it can (or is unset). */
    private static String platformKeyFileProblem(String keyFile, WxPayApi api, KeyMode keyMode,
            boolean secondMerchant) {
        if (keyFile.isEmpty() || api == WxPayApi.V3 && keyMode == KeyMode.PUBLIC_KEY && !secondMerchant) {
            return null;
        }
        return WXPAY_PLATFORM_KEY_FILE + " needs " + WXPAY_API + "=v3 and " + WXPAY_KEY_MODE
                + "=public-key with one merchant (the file holds one RSA public-key identity), not "
                + WXPAY_API + "=" + api.value() + " " + WXPAY_KEY_MODE + "=" + keyMode.value()
                + (secondMerchant ? " with a second merchant" : "");
    }

    /** Settings from system properties and the environment, with defaults. */
    public static ShopSettings fromEnvironment() {
        return from(key -> {
            String value = System.getProperty(key);
            if (value == null) {
                value = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
            }
            return value;
        });
    }

    /** Settings from a map of keys (the defaults fill the gaps); handy in tests. */
    public static ShopSettings fromMap(Map<String, String> values) {
        return from(values::get);
    }

    private static ShopSettings from(Function<String, String> source) {
        String dbUrl = orDefault(source.apply(DB_URL), DEFAULT_DB_URL);
        String defaultUser = dbUrl.startsWith("jdbc:h2:") ? "sa" : "";
        StringBuilder problems = new StringBuilder();
        int port = 8080;
        String rawPort = source.apply(PORT);
        if (rawPort != null && !rawPort.isBlank()) {
            try {
                port = Integer.parseInt(rawPort.trim());
            } catch (NumberFormatException e) {
                problems.append("\n  ").append(PORT).append(" is not a number");
            }
        }
        long compress = 1;
        String rawCompress = source.apply(SIMULATOR_COMPRESS);
        if (rawCompress != null && !rawCompress.isBlank()) {
            try {
                compress = Long.parseLong(rawCompress.trim());
            } catch (NumberFormatException e) {
                problems.append("\n  ").append(SIMULATOR_COMPRESS).append(" is not a whole number");
            }
        }
        int delay = wholeNumber(source, RECONCILE_DELAY_SECONDS, 300, problems);
        int interval = wholeNumber(source, RECONCILE_INTERVAL_SECONDS, 60, problems);
        String drop = orDefault(source.apply(SIMULATOR_DROP_NOTIFICATIONS), "false");
        if (!drop.equalsIgnoreCase("true") && !drop.equalsIgnoreCase("false")) {
            problems.append("\n  ").append(SIMULATOR_DROP_NOTIFICATIONS).append(" must be true or false");
        }
        WxPayApi api = choice(source, WXPAY_API, WxPayApi.values(), WxPayApi::value, WxPayApi.V2, problems);
        KeyMode keyMode = choice(source, WXPAY_KEY_MODE, KeyMode.values(), KeyMode::value,
                KeyMode.CERTIFICATE, problems);
        Boolean second = choice(source, WXPAY_SECOND_MERCHANT, new Boolean[] {false, true}, String::valueOf,
                false, problems);
        if (api == WxPayApi.V3_SM && keyMode != KeyMode.CERTIFICATE) {
            problems.append("\n  ").append(WXPAY_KEY_MODE).append(" must be certificate with ")
                    .append(WXPAY_API).append("=v3-sm (WeChat Pay's public key is RSA)");
        }
        String keyFile = orDefault(source.apply(WXPAY_PLATFORM_KEY_FILE), "");
        String keyFileProblem = platformKeyFileProblem(keyFile, api, keyMode, second);
        if (keyFileProblem != null) {
            problems.append("\n  ").append(keyFileProblem);
        }
        if (problems.length() > 0) {
            throw new IllegalArgumentException("Invalid shop settings:" + problems);
        }
        return new ShopSettings(
                orDefault(source.apply(HOST), "127.0.0.1"),
                port,
                dbUrl,
                orDefault(source.apply(DB_USER), defaultUser),
                orDefault(source.apply(DB_PASSWORD), ""),
                orDefault(source.apply(ADMIN_USER), DEMO_ADMIN),
                orDefault(source.apply(ADMIN_PASSWORD), DEMO_ADMIN),
                compress,
                drop.equalsIgnoreCase("true"),
                delay,
                interval,
                api,
                keyMode,
                second,
                orDefault(source.apply(DATA_DIR), "./data"),
                keyFile);
    }

    private static int wholeNumber(Function<String, String> source, String key, int dflt, StringBuilder problems) {
        String raw = source.apply(key);
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            problems.append("\n  ").append(key).append(" is not a whole number");
            return dflt;
        }
    }

    /** One of {@code values} by its setting's value (case-insensitive), or a problem listing them. */
    private static <T> T choice(Function<String, String> source, String key, T[] values,
            Function<T, String> name, T fallback, StringBuilder problems) {
        String raw = source.apply(key);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        for (T v : values) {
            if (name.apply(v).equalsIgnoreCase(raw.trim())) {
                return v;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (T v : values) {
            allowed.append(allowed.length() == 0 ? "" : " | ").append(name.apply(v));
        }
        problems.append("\n  ").append(key).append(" must be ").append(allowed);
        return fallback;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /** A copy listening on another port. */
    public ShopSettings withPort(int newPort) {
        return new ShopSettings(host, newPort, dbUrl, dbUser, dbPassword, adminUser, adminPassword,
                simulatorCompress, simulatorDropNotifications, reconcileDelaySeconds, reconcileIntervalSeconds,
                wxpayApi, wxpayKeyMode, wxpaySecondMerchant, dataDir, wxpayPlatformKeyFile);
    }

    /** Whether the admin credentials are still the demo ones. */
    boolean demoAdmin() {
        return DEMO_ADMIN.equals(adminUser) && DEMO_ADMIN.equals(adminPassword);
    }

    /** The JDBC URL without its query string, which may hold a password. */
    String redactedDbUrl() {
        int query = dbUrl.indexOf('?');
        return query < 0 ? dbUrl : dbUrl.substring(0, query) + "?...";
    }

    /** Never prints the passwords. */
    @Override
    public String toString() {
        return "ShopSettings[" + host + ":" + port + ", " + redactedDbUrl() + ", db user " + dbUser
                + ", admin " + adminUser + ", simulator x" + simulatorCompress
                + (simulatorDropNotifications ? " dropping notifications" : "")
                + ", reconcile after " + reconcileDelaySeconds + " s every " + reconcileIntervalSeconds + " s"
                + ", WeChat Pay "
                + wxpayApi.value() + (wxpayApi.isV3() ? " " + wxpayKeyMode.value() : "")
                + (wxpaySecondMerchant ? " + second merchant" : "")
                + (wxpayPlatformKeyFile.isEmpty() ? "" : " key file " + wxpayPlatformKeyFile) + "]";
    }
}
