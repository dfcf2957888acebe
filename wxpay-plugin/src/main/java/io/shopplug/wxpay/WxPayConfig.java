package io.shopplug.wxpay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The plugin's validated configuration. Built once at start by {@link #from(Map)}, which reports
 * every problem at once; immutable afterwards. {@link #toString()} never shows a secret.
 */
final class WxPayConfig {
    private static final String DEFAULT_MERCHANT = "default";

    private final List<MerchantConfig> merchants;
    private final String notifyPath;
    private final int maxBodyBytes;
    private final SourceGuard sourceGuard;
    private final boolean enabled;
    private final boolean autostart;
    private final String apiBaseUrl;
    private final String dbJndi;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final int dbPoolSize;
    private final Duration dbConnectTimeout;
    private final boolean dbMigrate;
    private final int dispatchThreads;
    private final String consolePath;
    private final String metricsToken;
    private final int dispatchMaxAttempts;
    private final Duration dispatchLease;
    private final Duration dispatchSweepInterval;
    private final int maxConcurrentNotifies;
    private final Duration notifyLogRetention;
    private final Boolean reconcileEnabled;
    private final Duration reconcileInterval;
    private final Duration reconcileDelay;
    private final int reconcileMaxPerRun;
    private final Duration reconcileMaxAge;
    private final List<String> unknownKeys;
    private final Set<String> readKeys;

    private WxPayConfig(Reader r) {
        notifyPath = r.path(Settings.NOTIFY_PATH, "/wxpay/notify");
        merchants = merchants(r, notifyPath);
        maxBodyBytes = r.integer(Settings.MAX_BODY_BYTES, 65536, 1024, 16 * 1024 * 1024);
        sourceGuard = sourceGuard(r);
        enabled = r.bool(Settings.ENABLED, true);
        autostart = r.bool(Settings.AUTOSTART, true);
        apiBaseUrl = r.get(Settings.API_BASE_URL).orElse("https://api.mch.weixin.qq.com");
        if (!apiBaseUrl.startsWith("https://") && !apiBaseUrl.startsWith("http://")) {
            r.problem(Settings.API_BASE_URL + " must be an http(s) URL");
        }
        dbJndi = r.get(Settings.DB_JNDI).orElse(null);
        dbUrl = r.get(Settings.DB_URL).orElse(Settings.DEFAULT_DB_URL);
        if (!dbUrl.startsWith("jdbc:")) {
            r.problem(Settings.DB_URL + " must start with jdbc:");
        }
        dbUser = r.get(Settings.DB_USER).orElse("");
        String password = r.secret(Settings.DB_PASSWORD, false);
        dbPassword = password == null ? "" : password;
        dbPoolSize = r.integer(Settings.DB_POOL_SIZE, 10, 1, 200);
        dbConnectTimeout = Duration.ofMillis(r.integer(Settings.DB_CONNECT_TIMEOUT_MS, 2000, 250, 60_000));
        dbMigrate = r.bool(Settings.DB_MIGRATE, true);
        dispatchThreads = r.integer(Settings.DISPATCH_THREADS, 4, 1, 64);
        consolePath = r.path(Settings.CONSOLE_PATH, "/wxpay/console");
        if (consolePath.endsWith("/")) {
            r.problem(Settings.CONSOLE_PATH + " must not end with /");
        }
        for (MerchantConfig m : merchants) {
            String notify = m.notifyPath();
            if (notify != null && (notify.equals(consolePath) || notify.startsWith(consolePath + "/"))) {
                r.problem(Settings.CONSOLE_PATH + " must not contain a notify path (" + notify + ")");
                break;
            }
        }
        metricsToken = r.secret(Settings.METRICS_TOKEN, false);
        if (metricsToken != null && metricsToken.length() < 16) {
            r.problem(Settings.METRICS_TOKEN + " must be at least 16 characters");
        }
        dispatchMaxAttempts = r.integer(Settings.DISPATCH_MAX_ATTEMPTS, 12, 1, 100);
        dispatchLease = Duration.ofMillis(r.integer(Settings.DISPATCH_LEASE_MS, 60_000, 300, 3_600_000));
        dispatchSweepInterval = Duration.ofMillis(
                r.integer(Settings.DISPATCH_SWEEP_INTERVAL_MS, 5_000, 100, 600_000));
        if (dispatchSweepInterval.multipliedBy(3).compareTo(dispatchLease) > 0) {
            r.problem(Settings.DISPATCH_LEASE_MS + " must be at least three times "
                    + Settings.DISPATCH_SWEEP_INTERVAL_MS + " (leases are renewed at each sweep)");
        }
        maxConcurrentNotifies = r.integer(Settings.MAX_CONCURRENT_NOTIFIES, 64, 1, 10_000);
        notifyLogRetention = Duration.ofDays(r.integer(Settings.NOTIFY_LOG_RETENTION_DAYS, 90, 0, 36_500));
        reconcileEnabled = r.get(Settings.RECONCILE_ENABLED).isPresent() ? r.bool(Settings.RECONCILE_ENABLED, true) : null;
        reconcileInterval = Duration.ofSeconds(r.integer(Settings.RECONCILE_INTERVAL_SECONDS, 60, 1, 86_400));
        reconcileDelay = Duration.ofSeconds(r.integer(Settings.RECONCILE_DELAY_SECONDS, 300, 0, 7 * 86_400));
        reconcileMaxPerRun = r.integer(Settings.RECONCILE_MAX_PER_RUN, 100, 1, 10_000);
        reconcileMaxAge = Duration.ofSeconds(r.integer(Settings.RECONCILE_MAX_AGE_SECONDS, 86_400, 1, 90 * 86_400));
        if (reconcileMaxAge.compareTo(reconcileDelay) <= 0) {
            r.problem(Settings.RECONCILE_MAX_AGE_SECONDS + " must be greater than " + Settings.RECONCILE_DELAY_SECONDS);
        }
        r.get(Settings.CONFIG_FILE); // read by ConfigSources
        List<String> unknown = new ArrayList<>();
        r.settings.forEach((key, value) -> {
            if (key.startsWith("wxpay.") && !r.asked.contains(key) && value != null && !value.isBlank()) {
                unknown.add(key);
            }
        });
        unknown.sort(null);
        unknownKeys = List.copyOf(unknown);
        readKeys = Set.copyOf(r.asked);
    }

    private static SourceGuard sourceGuard(Reader r) {
        List<String> allowed = r.list(Settings.ALLOWED_SOURCES);
        List<String> proxies = r.list(Settings.TRUSTED_PROXIES);
        boolean ok = true;
        for (String key : new String[] {Settings.ALLOWED_SOURCES, Settings.TRUSTED_PROXIES}) {
            for (String range : r.list(key)) {
                String problem = SourceGuard.problem(range);
                if (problem != null) {
                    r.problem(key + ": " + problem);
                    ok = false;
                }
            }
        }
        String header = r.get(Settings.CLIENT_IP_HEADER).orElse("X-Forwarded-For");
        return ok ? new SourceGuard(allowed, proxies, header) : SourceGuard.open();
    }

    /** The single-merchant keys ({@code wxpay.mch-id}...), or every merchant of {@code wxpay.merchants}. */
    private static List<MerchantConfig> merchants(Reader r, String defaultPath) {
        Optional<String> names = r.get(Settings.MERCHANTS);
        if (names.isEmpty()) {
            return List.of(merchant(r, DEFAULT_MERCHANT, "wxpay.", defaultPath));
        }
        List<MerchantConfig> list = new ArrayList<>();
        Set<String> mchIds = new HashSet<>();
        for (String name : r.list(Settings.MERCHANTS)) {
            if (!name.matches("[A-Za-z0-9_-]{1,32}")) {
                r.problem(Settings.MERCHANTS + ": merchant name '" + name + "' must be letters, digits, _ or -");
                continue;
            }
            MerchantConfig m = merchant(r, name, Settings.MERCHANT_PREFIX + name + ".", defaultPath);
            if (m.mchId() != null && !mchIds.add(m.mchId())) {
                r.problem(Settings.MERCHANT_PREFIX + name + ".mch-id repeats another merchant's mch-id");
            }
            list.add(m);
        }
        return list;
    }

    private static MerchantConfig merchant(Reader r, String name, String prefix, String defaultPath) {
        String mchId = r.required(prefix + "mch-id");
        if (mchId != null && !mchId.matches("[0-9]{1,32}")) {
            r.problem(prefix + "mch-id must be digits");
        }
        List<String> appIds = r.list(prefix + "app-id");
        if (appIds.isEmpty()) {
            r.problem(prefix + "app-id is required");
        }
        String v2 = r.secret(prefix + "api-v2-key", false);
        if (v2 != null && v2.length() != 32) {
            r.problem(prefix + "api-v2-key must be 32 characters (is " + v2.length() + ")");
        }
        String v3 = r.secret(prefix + "api-v3-key", false);
        if (v3 != null && v3.getBytes(StandardCharsets.UTF_8).length != 32) {
            r.problem(prefix + "api-v3-key must be 32 bytes");
        }
        if (v2 == null && v3 == null) {
            r.problem(prefix + "api-v2-key or " + prefix + "api-v3-key (or their -file) is required");
        }
        List<String> certFiles = r.list(prefix + "platform-cert-files");
        String publicKeyId = r.get(prefix + "public-key-id").orElse(null);
        String publicKeyFile = r.get(prefix + "public-key-file").orElse(null);
        if ((publicKeyId == null) != (publicKeyFile == null)) {
            r.problem("set both " + prefix + "public-key-id and " + prefix + "public-key-file, or neither");
        }
        if (publicKeyId != null && !publicKeyId.startsWith("PUB_KEY_ID_")) {
            r.problem(prefix + "public-key-id must start with PUB_KEY_ID_");
        }
        String privateKeyFile = r.get(prefix + "private-key-file").orElse(null);
        String certSerial = r.get(prefix + "cert-serial").orElse(null);
        if ((privateKeyFile == null) != (certSerial == null)) {
            r.problem("set both " + prefix + "private-key-file and " + prefix + "cert-serial, or neither");
        }
        if (v3 != null && certFiles.isEmpty() && publicKeyId == null && privateKeyFile == null) {
            r.problem(prefix + "api-v3-key needs WeChat Pay's keys: " + prefix + "platform-cert-files, "
                    + prefix + "public-key-id/-file, or " + prefix + "private-key-file/cert-serial to download certificates");
        }
        // The single merchant's path is wxpay.notify-path itself; a named one (whatever its name) may have its own.
        String path = prefix.startsWith(Settings.MERCHANT_PREFIX) ? r.path(prefix + "notify-path", defaultPath) : defaultPath;
        return new MerchantConfig(name, mchId, appIds, v2, r.signType(prefix + "sign-type", "MD5"), v3, path,
                certFiles, publicKeyId, publicKeyFile, privateKeyFile, certSerial,
                new LinkedHashSet<>(r.list(prefix + "sub-mch-ids")));
    }

    /** The items of a comma-separated value, trimmed, empty ones left out; none for null. */
    static List<String> splitList(String valueOrNull) {
        List<String> items = new ArrayList<>();
        if (valueOrNull != null) {
            for (String item : valueOrNull.split(",")) {
                if (!item.trim().isEmpty()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /**
     * Validates the merged settings.
     *
     * @throws IllegalStateException listing every problem found, one per line, and no secret
     */
    static WxPayConfig from(Map<String, String> settings) {
        return from(settings, List.of());
    }

    /** As {@link #from(Map)}, reporting {@code otherProblems} (found elsewhere) in the same message. */
    static WxPayConfig from(Map<String, String> settings, List<String> otherProblems) {
        Reader reader = new Reader(settings);
        reader.problems.addAll(otherProblems);
        WxPayConfig config = new WxPayConfig(reader);
        if (!reader.problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("WeChat Pay plugin configuration has ")
                    .append(reader.problems.size()).append(" problem(s):");
            for (String p : reader.problems) {
                sb.append("\n  - ").append(p);
            }
            throw new IllegalStateException(sb.toString());
        }
        return config;
    }

    /** Every configured merchant; never empty. */
    List<MerchantConfig> merchants() { return merchants; }
    /** The path of the single merchant, and the default for several. */
    String notifyPath() { return notifyPath; }
    /** The distinct notify paths of all merchants. */
    Set<String> notifyPaths() {
        Set<String> paths = new LinkedHashSet<>();
        merchants.forEach(m -> paths.add(m.notifyPath()));
        return paths;
    }
    int maxBodyBytes() { return maxBodyBytes; }
    /** The source allow-list and trusted proxies. */
    SourceGuard sourceGuard() { return sourceGuard; }
    boolean enabled() { return enabled; }
    boolean autostart() { return autostart; }
    /** WeChat Pay's API host, for certificate downloads and order queries. */
    String apiBaseUrl() { return apiBaseUrl; }
    Optional<String> dbJndi() { return Optional.ofNullable(dbJndi); }
    String dbUrl() { return dbUrl; }
    String dbUser() { return dbUser; }
    String dbPassword() { return dbPassword; }
    int dbPoolSize() { return dbPoolSize; }
    Duration dbConnectTimeout() { return dbConnectTimeout; }
    boolean dbMigrate() { return dbMigrate; }
    int dispatchThreads() { return dispatchThreads; }
    /** Where the admin console is served, inside the webapp; no trailing slash. */
    String consolePath() { return consolePath; }
    /** The metrics scraper's bearer token, if one is configured. Secret. */
    Optional<String> metricsToken() { return Optional.ofNullable(metricsToken); }
    int dispatchMaxAttempts() { return dispatchMaxAttempts; }
    Duration dispatchLease() { return dispatchLease; }
    Duration dispatchSweepInterval() { return dispatchSweepInterval; }
    int maxConcurrentNotifies() { return maxConcurrentNotifies; }
    /** The {@code wxpay.} keys given a value that no setting reads (typos, or a merchant not named), sorted. */
    List<String> unknownKeys() { return unknownKeys; }
    /** Every key this configuration read, given or not. */
    Set<String> readKeys() { return readKeys; }
    /** How long notify log rows are kept; zero: for ever. */
    Duration notifyLogRetention() { return notifyLogRetention; }
    /** {@link Settings#RECONCILE_ENABLED} as configured; empty when not set (on if the host can say what is pending). */
    Optional<Boolean> reconcileEnabled() { return Optional.ofNullable(reconcileEnabled); }
    Duration reconcileInterval() { return reconcileInterval; }
    Duration reconcileDelay() { return reconcileDelay; }
    int reconcileMaxPerRun() { return reconcileMaxPerRun; }
    Duration reconcileMaxAge() { return reconcileMaxAge; }

    @Override
    public String toString() {
        return "WxPayConfig[" + merchants + ", maxBodyBytes=" + maxBodyBytes + ", enabled=" + enabled + "]";
    }

    /** Reads typed values and collects problems instead of failing on the first. */
    private static final class Reader {
        private final Map<String, String> settings;
        private final List<String> problems = new ArrayList<>();
        /** Every key read, set or not. */
        private final Set<String> asked = new HashSet<>();

        Reader(Map<String, String> settings) {
            this.settings = settings;
        }

        void problem(String p) {
            problems.add(p);
        }

        Optional<String> get(String key) {
            asked.add(key);
            String v = settings.get(key);
            return v == null || v.trim().isEmpty() ? Optional.empty() : Optional.of(v.trim());
        }

        String required(String key) {
            Optional<String> v = get(key);
            if (v.isEmpty()) {
                problem(key + " is required");
            }
            return v.orElse(null);
        }

        /** A secret from the key itself or from the file named by {@code key-file}; never echoed. */
        String secret(String key, boolean required) {
            Optional<String> inline = get(key);
            Optional<String> file = get(key + "-file");
            if (inline.isPresent() && file.isPresent()) {
                problem("set either " + key + " or " + key + "-file, not both");
                return null;
            }
            if (file.isPresent()) {
                try {
                    return Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).trim();
                } catch (IOException | RuntimeException e) {
                    problem(key + "-file cannot be read: " + file.get());
                    return null;
                }
            }
            if (inline.isEmpty() && required) {
                problem(key + " (or " + key + "-file) is required");
            }
            return inline.orElse(null);
        }

        /** A comma-separated list, trimmed, without empty items. */
        List<String> list(String key) {
            return splitList(get(key).orElse(null));
        }

        String path(String key, String dflt) {
            String path = get(key).orElse(dflt);
            if (!path.startsWith("/") || path.contains("*") || path.length() < 2) {
                problem(key + " must be an exact path starting with /");
            }
            return path;
        }

        int integer(String key, int dflt, int min, int max) {
            Optional<String> v = get(key);
            if (v.isEmpty()) {
                return dflt;
            }
            try {
                int i = Integer.parseInt(v.get());
                if (i < min || i > max) {
                    problem(key + " must be between " + min + " and " + max);
                    return dflt;
                }
                return i;
            } catch (NumberFormatException e) {
                problem(key + " must be a whole number");
                return dflt;
            }
        }

        boolean bool(String key, boolean dflt) {
            Optional<String> v = get(key);
            if (v.isEmpty()) {
                return dflt;
            }
            if (v.get().equalsIgnoreCase("true")) {
                return true;
            }
            if (v.get().equalsIgnoreCase("false")) {
                return false;
            }
            problem(key + " must be true or false");
            return dflt;
        }

        ApiV2Signer.SignType signType(String key, String dflt) {
            try {
                return ApiV2Signer.SignType.parse(get(key).orElse(dflt));
            } catch (IllegalArgumentException e) {
                problem(key + " must be MD5 or HMAC-SHA256");
                return ApiV2Signer.SignType.MD5;
            }
        }
    }
}
