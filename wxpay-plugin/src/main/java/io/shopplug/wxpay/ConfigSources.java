package io.shopplug.wxpay;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Gathers the raw {@code wxpay.*} settings from their sources, later sources overriding earlier:
 * class path {@code wxpay.properties}, {@code /WEB-INF/wxpay.properties}, the file named by
 * {@link Settings#CONFIG_FILE}, the environment, system properties, the host's settings.
 */
final class ConfigSources {
    private ConfigSources() {}

    static Map<String, String> collect(ServletContext servletContext, ClassLoader loader,
            Map<String, String> environment, Properties systemProperties, Map<String, String> hostSettings) {
        Map<String, String> merged = new HashMap<>();
        try (InputStream in = loader.getResourceAsStream("wxpay.properties")) {
            putAll(merged, in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read wxpay.properties from the class path", e);
        }
        if (servletContext != null) {
            try (InputStream in = servletContext.getResourceAsStream("/WEB-INF/wxpay.properties")) {
                putAll(merged, in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /WEB-INF/wxpay.properties", e);
            }
        }
        Map<String, String> aboveEnvironment = new HashMap<>();
        systemProperties.stringPropertyNames().stream().filter(n -> n.startsWith("wxpay."))
                .forEach(n -> aboveEnvironment.put(n, systemProperties.getProperty(n)));
        aboveEnvironment.putAll(hostSettings);
        Map<String, String> overrides = new HashMap<>();
        Settings.KEYS.forEach(key -> putIfSet(overrides, key, environment.get(environmentName(key))));
        overrides.putAll(aboveEnvironment);
        String file = overrides.getOrDefault(Settings.CONFIG_FILE, merged.get(Settings.CONFIG_FILE));
        if (file != null && !file.isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(file.trim()))) {
                putAll(merged, in);
            } catch (IOException e) {
                throw new IllegalStateException(Settings.CONFIG_FILE + " cannot be read: " + file);
            }
        }
        merged.putAll(overrides);
        // A named merchant's keys can be told from its environment names only once the names are known.
        for (String key : merchantKeys(merged)) {
            if (!aboveEnvironment.containsKey(key)) {
                putIfSet(merged, key, environment.get(environmentName(key)));
            }
        }
        return merged;
    }

    /** The {@code WXPAY_} variables of {@code environment} that name no setting of {@code merged}, sorted. */
    static List<String> unusedEnvironment(Map<String, String> environment, Map<String, String> merged) {
        Set<String> used = new HashSet<>();
        Settings.KEYS.forEach(key -> used.add(environmentName(key)));
        merchantKeys(merged).forEach(key -> used.add(environmentName(key)));
        List<String> unused = new ArrayList<>();
        for (String name : environment.keySet()) {
            if (name.startsWith("WXPAY_") && !used.contains(name)) {
                unused.add(name);
            }
        }
        unused.sort(null);
        return unused;
    }

    private static List<String> merchantKeys(Map<String, String> merged) {
        List<String> keys = new ArrayList<>();
        for (String name : WxPayConfig.splitList(merged.get(Settings.MERCHANTS))) {
            for (String field : Settings.MERCHANT_KEYS) {
                keys.add(Settings.MERCHANT_PREFIX + name + "." + field);
            }
        }
        return keys;
    }

    /** {@code wxpay.db.connect-timeout-ms} → {@code WXPAY_DB_CONNECT_TIMEOUT_MS}; {@code wxpay.merchant.hk.mch-id} → {@code WXPAY_MERCHANT_HK_MCH_ID}. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void putIfSet(Map<String, String> target, String key, String valueOrNull) {
        if (valueOrNull != null) {
            target.put(key, valueOrNull);
        }
    }

    private static void putAll(Map<String, String> target, InputStream in) throws IOException {
        if (in == null) {
            return;
        }
        Properties p = new Properties();
        p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        p.stringPropertyNames().stream().filter(n -> n.startsWith("wxpay."))
                .forEach(n -> target.put(n, p.getProperty(n)));
    }
}
