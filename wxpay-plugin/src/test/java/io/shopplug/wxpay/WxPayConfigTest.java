package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WxPayConfigTest {
    static final String KEY = "8934e7d15453e97507ef794cf7b0519d";

    static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.mch-id", "1900000109");
        m.put("wxpay.app-id", "wx2421b1c4370ec43b");
        m.put("wxpay.api-v2-key", KEY);
        return m;
    }

    @Test
    void defaults() {
        WxPayConfig c = WxPayConfig.from(valid());
        assertEquals("/wxpay/notify", c.notifyPath());
        assertEquals(65536, c.maxBodyBytes());
        assertEquals(1, c.merchants().size());
        MerchantConfig m = c.merchants().get(0);
        assertEquals("1900000109", m.mchId());
        assertEquals(List.of("wx2421b1c4370ec43b"), m.appIds());
        assertEquals(ApiV2Signer.SignType.MD5, m.signType());
        assertEquals("/wxpay/notify", m.notifyPath());
        assertTrue(m.apiV3Key().isEmpty());
        assertEquals(Settings.DEFAULT_DB_URL, c.dbUrl());
        assertTrue(c.enabled());
        assertTrue(c.dbMigrate());
        assertEquals(Duration.ofDays(90), c.notifyLogRetention());
    }

    @Test
    void notifyLogRetentionIsWholeDaysAndZeroKeepsEveryRow() {
        Map<String, String> m = valid();
        m.put("wxpay.notify-log.retention-days", "0");
        assertTrue(WxPayConfig.from(m).notifyLogRetention().isZero());
        m.put("wxpay.notify-log.retention-days", "7");
        assertEquals(Duration.ofDays(7), WxPayConfig.from(m).notifyLogRetention());
        m.put("wxpay.notify-log.retention-days", "-1");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WxPayConfig.from(m));
        assertTrue(e.getMessage().contains("wxpay.notify-log.retention-days"), e.getMessage());
    }

    @Test
    void reportsEveryProblemAtOnceWithoutEchoingSecrets() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.mch-id", "abc");
        m.put("wxpay.api-v2-key", "short-secret-value");
        m.put("wxpay.sign-type", "SHA1");
        m.put("wxpay.max-body-bytes", "lots");
        m.put("wxpay.notify-path", "notify");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WxPayConfig.from(m, List.of("the host provides no io.shopplug.api.OrderLookup")));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("WeChat Pay plugin configuration has 7 problem(s):"), msg);
        for (String expected : new String[] {"OrderLookup", "wxpay.mch-id must be digits", "wxpay.app-id is required",
                "wxpay.api-v2-key must be 32 characters", "wxpay.sign-type must be MD5 or HMAC-SHA256",
                "wxpay.max-body-bytes must be a whole number", "wxpay.notify-path must be an exact path"}) {
            assertTrue(msg.contains(expected), () -> "missing '" + expected + "' in " + msg);
        }
        assertFalse(msg.contains("short-secret-value"));
    }

    @Test
    void severalMerchantsEachWithTheirOwnKeysAndPaths() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.merchants", "sh, hk");
        m.put("wxpay.merchant.sh.mch-id", "1900000109");
        m.put("wxpay.merchant.sh.app-id", "wx2421b1c4370ec43b,wx0000000000000002");
        m.put("wxpay.merchant.sh.api-v2-key", KEY);
        m.put("wxpay.merchant.hk.mch-id", "1900000222");
        m.put("wxpay.merchant.hk.app-id", "wxhk");
        m.put("wxpay.merchant.hk.api-v3-key", "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb");
        m.put("wxpay.merchant.hk.public-key-id", "PUB_KEY_ID_0114232134912410000000000000");
        m.put("wxpay.merchant.hk.public-key-file", "/etc/wxpay/hk-pub.pem");
        m.put("wxpay.merchant.hk.notify-path", "/wxpay/hk");
        m.put("wxpay.merchant.hk.sub-mch-ids", "1900009001, 1900009002");

        WxPayConfig c = WxPayConfig.from(m);

        assertEquals(2, c.merchants().size());
        MerchantConfig sh = c.merchants().get(0);
        MerchantConfig hk = c.merchants().get(1);
        assertEquals(List.of("wx2421b1c4370ec43b", "wx0000000000000002"), sh.appIds());
        assertEquals("/wxpay/notify", sh.notifyPath());
        assertTrue(sh.apiV3Key().isEmpty());
        assertEquals("/wxpay/hk", hk.notifyPath());
        assertTrue(hk.apiV2Key().isEmpty());
        assertTrue(hk.isPartner());
        assertEquals(java.util.Set.of("1900009001", "1900009002"), hk.subMchIds());
        assertEquals(java.util.Set.of("/wxpay/notify", "/wxpay/hk"), c.notifyPaths());
        assertFalse(c.toString().contains(KEY));
        assertFalse(c.toString().contains("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"));
    }

    @Test
    void aMerchantNamedDefaultHasItsOwnNotifyPathToo() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.merchants", "default");
        m.put("wxpay.merchant.default.mch-id", "1900000109");
        m.put("wxpay.merchant.default.app-id", "wx2421b1c4370ec43b");
        m.put("wxpay.merchant.default.api-v2-key", KEY);
        m.put("wxpay.merchant.default.notify-path", "/wxpay/own");

        assertEquals("/wxpay/own", WxPayConfig.from(m).merchants().get(0).notifyPath());
    }

    @Test
    void merchantProblemsAreReportedWithTheirFullKeys() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.merchants", "a,b,bad name");
        m.put("wxpay.merchant.a.mch-id", "1900000109");
        m.put("wxpay.merchant.a.app-id", "wxa");
        m.put("wxpay.merchant.a.api-v3-key", "too-short");
        m.put("wxpay.merchant.b.mch-id", "1900000109");
        m.put("wxpay.merchant.b.app-id", "wxb");
        m.put("wxpay.merchant.b.api-v2-key", KEY);
        m.put("wxpay.merchant.b.public-key-id", "KEY_1");

        String msg = assertThrows(IllegalStateException.class, () -> WxPayConfig.from(m)).getMessage();

        for (String expected : new String[] {"merchant name 'bad name'", "wxpay.merchant.a.api-v3-key must be 32 bytes",
                "wxpay.merchant.a.api-v3-key needs WeChat Pay's keys", "wxpay.merchant.b.mch-id repeats another merchant's mch-id",
                "set both wxpay.merchant.b.public-key-id and wxpay.merchant.b.public-key-file",
                "wxpay.merchant.b.public-key-id must start with PUB_KEY_ID_"}) {
            assertTrue(msg.contains(expected), () -> "missing '" + expected + "' in " + msg);
        }
        assertFalse(msg.contains("too-short"));
    }

    @Test
    void aMerchantNeedsAtLeastOneKey() {
        Map<String, String> m = valid();
        m.remove("wxpay.api-v2-key");
        String msg = assertThrows(IllegalStateException.class, () -> WxPayConfig.from(m)).getMessage();
        assertTrue(msg.contains("wxpay.api-v2-key or wxpay.api-v3-key (or their -file) is required"), msg);
    }

    @Test
    void secretFromFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v2key");
        Files.writeString(file, KEY + "\n", StandardCharsets.UTF_8);
        Map<String, String> m = valid();
        m.remove("wxpay.api-v2-key");
        m.put("wxpay.api-v2-key-file", file.toString());
        assertEquals(KEY, WxPayConfig.from(m).merchants().get(0).apiV2Key().orElseThrow());
    }

    @Test
    void secretInlineAndFileIsAProblem(@TempDir Path dir) {
        Map<String, String> m = valid();
        m.put("wxpay.api-v2-key-file", dir.resolve("missing").toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WxPayConfig.from(m));
        assertTrue(e.getMessage().contains("set either wxpay.api-v2-key or wxpay.api-v2-key-file"));
        assertFalse(e.getMessage().contains(KEY));
    }

    @Test
    void toStringHidesSecrets() {
        Map<String, String> m = valid();
        m.put("wxpay.db.password", "db-secret-pw");
        String s = WxPayConfig.from(m).toString();
        assertFalse(s.contains(KEY));
        assertFalse(s.contains("db-secret-pw"));
    }

    @Test
    void laterSourcesOverrideEarlier(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wxpay.properties");
        Files.writeString(file, "wxpay.mch-id=1111\nwxpay.app-id=wx-file\nwxpay.notify-path=/from-file\n");
        ClassLoader loader = getClass().getClassLoader(); // test resources hold no wxpay.properties
        Map<String, String> env = Map.of("WXPAY_CONFIG_FILE", file.toString(), "WXPAY_APP_ID", "wx-env",
                "WXPAY_API_V2_KEY_FILE", "/run/secrets/k", "WXPAY_DB_CONNECT_TIMEOUT_MS", "500", "PATH", "/bin");
        Properties sys = new Properties();
        sys.setProperty("wxpay.notify-path", "/from-sysprop");
        sys.setProperty("user.home", "/root");
        Map<String, String> merged = ConfigSources.collect(null, loader, env, sys, Map.of());
        assertEquals("1111", merged.get("wxpay.mch-id"));
        assertEquals("wx-env", merged.get("wxpay.app-id"));
        assertEquals("/from-sysprop", merged.get("wxpay.notify-path"));
        assertEquals("/run/secrets/k", merged.get("wxpay.api-v2-key-file"));
        assertEquals("500", merged.get("wxpay.db.connect-timeout-ms"));
        assertFalse(merged.containsKey("user.home"));
        assertFalse(merged.containsKey("PATH"));
    }

    @Test
    void everyKeyCanBeSetFromTheEnvironment() {
        Map<String, String> env = new HashMap<>();
        for (String key : Settings.KEYS) {
            if (!key.equals(Settings.CONFIG_FILE)) { // read by laterSourcesOverrideEarlier
                env.put(ConfigSources.environmentName(key), "from " + key);
            }
        }
        Map<String, String> merged = ConfigSources.collect(null, getClass().getClassLoader(), env, new Properties(), Map.of());
        for (String key : List.of("wxpay.console.path", "wxpay.metrics.token-file", "wxpay.notify-log.retention-days",
                "wxpay.db.password-file", "wxpay.dispatch.lease-ms", "wxpay.reconcile.max-age-seconds", "wxpay.mch-id")) {
            assertTrue(Settings.KEYS.contains(key), key);
            assertEquals("from " + key, merged.get(key), key);
        }
        assertEquals(Settings.KEYS.size() - 1, merged.size(), merged.keySet().toString());
    }

    @Test
    void namedMerchantsCanBeSetFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path v3Key = dir.resolve("sh-v3");
        Files.writeString(v3Key, "0123456789abcdef0123456789abcdef");
        Path cert = dir.resolve("sh-platform.pem");
        Map<String, String> env = new HashMap<>();
        env.put("WXPAY_MERCHANTS", "sh,hk-2");
        env.put("WXPAY_MERCHANT_SH_MCH_ID", "1900000111");
        env.put("WXPAY_MERCHANT_SH_APP_ID", "wx-sh");
        env.put("WXPAY_MERCHANT_SH_API_V3_KEY_FILE", v3Key.toString());
        env.put("WXPAY_MERCHANT_SH_PLATFORM_CERT_FILES", cert.toString());
        env.put("WXPAY_MERCHANT_SH_NOTIFY_PATH", "/wxpay/notify/sh");
        env.put("WXPAY_MERCHANT_HK_2_MCH_ID", "1900000222");
        env.put("WXPAY_MERCHANT_HK_2_APP_ID", "wx-hk");
        env.put("WXPAY_MERCHANT_HK_2_API_V2_KEY", KEY);
        env.put("WXPAY_MERCHANT_XX_MCH_ID", "1900000333");
        Properties sys = new Properties();
        sys.setProperty("wxpay.merchant.hk-2.app-id", "wx-hk-sysprop");
        Map<String, String> merged = ConfigSources.collect(null, getClass().getClassLoader(), env, sys, Map.of());
        assertEquals("1900000111", merged.get("wxpay.merchant.sh.mch-id"));
        assertEquals(v3Key.toString(), merged.get("wxpay.merchant.sh.api-v3-key-file"));
        assertEquals("wx-hk-sysprop", merged.get("wxpay.merchant.hk-2.app-id"), "system properties still win");
        assertFalse(merged.keySet().stream().anyMatch(k -> k.contains("xx")), "no merchant named xx");

        WxPayConfig c = WxPayConfig.from(merged);
        assertEquals(List.of("sh", "hk-2"), c.merchants().stream().map(MerchantConfig::name).collect(Collectors.toList()));
        MerchantConfig sh = c.merchants().get(0);
        assertEquals("1900000111", sh.mchId());
        assertEquals("/wxpay/notify/sh", sh.notifyPath());
        assertEquals(List.of(cert.toString()), sh.platformCertFiles());
        MerchantConfig hk = c.merchants().get(1);
        assertEquals("1900000222", hk.mchId());
        assertEquals(List.of("wx-hk-sysprop"), hk.appIds());
    }

    @Test
    void keysNoSettingReadsAreListedForAWarning() {
        Map<String, String> m = valid();
        m.put("wxpay.mchid", "1900000109");
        m.put("wxpay.db.pasword", "x");
        m.put("wxpay.merchant.sh.mch-id", "1900000111");
        m.put("wxpay.api-v2-key-file", "");
        m.put("wxpay.metrics.token-file", "");
        m.put("wxpay.merchant.hk.mch-id", " ");
        m.put("shop.theme", "dark");
        assertEquals(List.of("wxpay.db.pasword", "wxpay.mchid", "wxpay.merchant.sh.mch-id"),
                WxPayConfig.from(m).unknownKeys());

        Map<String, String> named = namedSh();
        named.put("wxpay.merchant.sh.mch_id", "1900000111");
        named.put("wxpay.merchant.hk.mch-id", "1900000222");
        assertEquals(List.of("wxpay.merchant.hk.mch-id", "wxpay.merchant.sh.mch_id"), WxPayConfig.from(named).unknownKeys());
    }

    @Test
    void merchantsTheHostNamesTakeTheirKeysFromTheEnvironmentUnlessTheHostGivesThem() {
        Map<String, String> env = Map.of("WXPAY_MERCHANT_SH_MCH_ID", "1900000111", "WXPAY_MERCHANT_SH_APP_ID", "wx-env",
                "WXPAY_MERCHANT_SH_API_V2_KEY", KEY, "WXPAY_MERCHANT_HK_MCH_ID", "1900000222", "WXPAY_MCHID", "1");
        Map<String, String> host = Map.of("wxpay.merchants", "sh", "wxpay.merchant.sh.app-id", "wx-host");
        Map<String, String> merged = ConfigSources.collect(null, getClass().getClassLoader(), env, new Properties(), host);
        WxPayConfig c = WxPayConfig.from(merged);
        assertEquals("1900000111", c.merchants().get(0).mchId());
        assertEquals(List.of("wx-host"), c.merchants().get(0).appIds(), "the host's settings win");
        assertEquals(List.of("WXPAY_MCHID", "WXPAY_MERCHANT_HK_MCH_ID"), ConfigSources.unusedEnvironment(env, merged));
    }

    @Test
    void theKeysTheConfigurationReadsAreTheOnesTheEnvironmentReaches() {
        Set<String> read = new HashSet<>(WxPayConfig.from(valid()).readKeys());
        read.addAll(WxPayConfig.from(namedSh()).readKeys());
        Set<String> reachable = new HashSet<>(Settings.KEYS);
        Settings.MERCHANT_KEYS.forEach(field -> reachable.add("wxpay.merchant.sh." + field));
        assertEquals(reachable, read);
    }

    /** A valid configuration of one merchant named {@code sh}. */
    private static Map<String, String> namedSh() {
        Map<String, String> m = new HashMap<>();
        m.put("wxpay.merchants", "sh");
        m.put("wxpay.merchant.sh.mch-id", "1900000111");
        m.put("wxpay.merchant.sh.app-id", "wx-sh");
        m.put("wxpay.merchant.sh.api-v2-key", KEY);
        return m;
    }
}
