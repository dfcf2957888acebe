package io.shopplug.wxpay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin's validated configuration. Built once at start by {@link #from(Map)}, which reports
 * every problem at once; immutable afterwards. {@link #toString()} never shows a secret.
 */
final class WxPayConfig {
    private final String mchId;
    private final String appId;
    private final String apiV2Key;
    private final ApiV2Signer.SignType signType;
    private final String notifyPath;
    private final int maxBodyBytes;
    private final boolean enabled;
    private final boolean autostart;
    private final String dbJndi;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final int dbPoolSize;
    private final Duration dbConnectTimeout;
    private final boolean dbMigrate;
    private final int dispatchThreads;

    private WxPayConfig(Reader r) {
        mchId = r.required(Settings.MCH_ID);
        if (mchId != null && !mchId.matches("[0-9]{1,32}")) {
            r.problem(Settings.MCH_ID + " must be digits");
        }
        appId = r.required(Settings.APP_ID);
        apiV2Key = r.secret(Settings.API_V2_KEY, true);
        if (apiV2Key != null && apiV2Key.length() != 32) {
            r.problem(Settings.API_V2_KEY + " must be 32 characters (is " + apiV2Key.length() + ")");
        }
        signType = r.signType(Settings.SIGN_TYPE, "MD5");
        notifyPath = r.get(Settings.NOTIFY_PATH).orElse("/wxpay/notify");
        if (!notifyPath.startsWith("/") || notifyPath.contains("*") || notifyPath.length() < 2) {
            r.problem(Settings.NOTIFY_PATH + " must be an exact path starting with /");
        }
        maxBodyBytes = r.integer(Settings.MAX_BODY_BYTES, 65536, 1024, 16 * 1024 * 1024);
        enabled = r.bool(Settings.ENABLED, true);
        autostart = r.bool(Settings.AUTOSTART, true);
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

    String mchId() { return mchId; }
    String appId() { return appId; }
    String apiV2Key() { return apiV2Key; }
    ApiV2Signer.SignType signType() { return signType; }
    String notifyPath() { return notifyPath; }
    int maxBodyBytes() { return maxBodyBytes; }
    boolean enabled() { return enabled; }
    boolean autostart() { return autostart; }
    Optional<String> dbJndi() { return Optional.ofNullable(dbJndi); }
    String dbUrl() { return dbUrl; }
    String dbUser() { return dbUser; }
    String dbPassword() { return dbPassword; }
    int dbPoolSize() { return dbPoolSize; }
    Duration dbConnectTimeout() { return dbConnectTimeout; }
    boolean dbMigrate() { return dbMigrate; }
    int dispatchThreads() { return dispatchThreads; }

    @Override
    public String toString() {
        return "WxPayConfig[mchId=" + mchId + ", appId=" + appId + ", apiV2Key=***, signType="
                + signType + ", notifyPath=" + notifyPath + ", maxBodyBytes=" + maxBodyBytes
                + ", enabled=" + enabled + "]";
    }

    /** Reads typed values and collects problems instead of failing on the first. */
    private static final class Reader {
        private final Map<String, String> settings;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> settings) {
            this.settings = settings;
        }

        void problem(String p) {
            problems.add(p);
        }

        Optional<String> get(String key) {
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
