package io.shopplug.wxpay;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Gathers the raw {@code wxpay.*} settings from their sources, later sources overriding earlier:
 * class path {@code wxpay.properties}, {@code /WEB-INF/wxpay.properties}, the file named by
 * {@link Settings#CONFIG_FILE}, the environment, system properties.
 */
final class ConfigSources {
    private ConfigSources() {}

    static Map<String, String> collect(ServletContext servletContext, ClassLoader loader,
            Map<String, String> environment, Properties systemProperties) {
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
        Map<String, String> overrides = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("WXPAY_")) {
                overrides.put(fromEnvironmentName(name), value);
            }
        });
        systemProperties.stringPropertyNames().stream().filter(n -> n.startsWith("wxpay."))
                .forEach(n -> overrides.put(n, systemProperties.getProperty(n)));
        String file = overrides.getOrDefault(Settings.CONFIG_FILE, merged.get(Settings.CONFIG_FILE));
        if (file != null && !file.isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(file.trim()))) {
                putAll(merged, in);
            } catch (IOException e) {
                throw new IllegalStateException(Settings.CONFIG_FILE + " cannot be read: " + file);
            }
        }
        merged.putAll(overrides);
        return merged;
    }

    /** {@code WXPAY_API_V2_KEY_FILE} → {@code wxpay.api-v2-key-file}; {@code WXPAY_DB_URL} → {@code wxpay.db.url}; {@code WXPAY_RECONCILE_DELAY_SECONDS} → {@code wxpay.reconcile.delay-seconds}. */
    static String fromEnvironmentName(String name) {
        String rest = name.substring("WXPAY_".length()).toLowerCase(Locale.ROOT);
        if (rest.startsWith("db_")) {
            return "wxpay.db." + rest.substring(3).replace('_', '-');
        }
        if (rest.startsWith("reconcile_")) {
            return "wxpay.reconcile." + rest.substring(10).replace('_', '-');
        }
        if (rest.startsWith("dispatch_")) {
            return "wxpay.dispatch." + rest.substring(9).replace('_', '-');
        }
        return "wxpay." + rest.replace('_', '-');
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
