package io.shopplug.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A demo merchant from {@code wxpay.properties} on the class path: the simulator signs with it
 * and the plugin verifies with it. {@code toString} never prints a key.
 *
 * @param apiV3Key the demo APIv3 key, or null when the file has none
 */
record MerchantSettings(String mchId, String appId, String apiV2Key, String signType,
        String notifyPath, String apiV3Key) {
    static final String RESOURCE = "wxpay.properties";
    /** The prefix of the single merchant's keys, as the plugin reads them. */
    static final String MAIN = "wxpay.";
    /** The prefix of the second demo merchant's keys, read from {@value #SECOND_RESOURCE}. */
    static final String SECOND = "wxpay.merchant.second.";
    /** The second demo merchant's file, which the plugin does not read. */
    static final String SECOND_RESOURCE = "demo-second-merchant.properties";

    /** The demo APIv3 key, when the file has one. */
    Optional<String> apiV3KeyIfAny() {
        return Optional.ofNullable(apiV3Key);
    }

    /**
     * Reads the single merchant ({@code wxpay.mch-id}...) from {@value #RESOURCE}.
     *
     * @throws IllegalStateException listing every missing key at once
     */
    static MerchantSettings fromClassPath(ClassLoader loader) {
        return fromClassPath(loader, MAIN);
    }

    /**
     * Reads the merchant whose keys start with {@code prefix} ({@link #MAIN} or {@link #SECOND})
     * from {@value #RESOURCE} (and {@value #SECOND_RESOURCE}); the notify path is always
     * {@code wxpay.notify-path}.
     *
     * @throws IllegalStateException listing every missing key at once
     */
    static MerchantSettings fromClassPath(ClassLoader loader, String prefix) {
        Properties p = new Properties();
        load(p, loader, RESOURCE);
        if (prefix.equals(SECOND)) {
            load(p, loader, SECOND_RESOURCE);
        }
        List<String> missing = new ArrayList<>();
        String mchId = required(p, prefix + "mch-id", missing);
        String appId = required(p, prefix + "app-id", missing);
        String key = required(p, prefix + "api-v2-key", missing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(RESOURCE + " lacks " + String.join(", ", missing));
        }
        String v3 = p.getProperty(prefix + "api-v3-key");
        return new MerchantSettings(mchId, appId, key,
                p.getProperty(prefix + "sign-type", "MD5").trim(),
                p.getProperty("wxpay.notify-path", "/wxpay/notify").trim(),
                v3 == null || v3.isBlank() ? null : v3.trim());
    }

    private static void load(Properties p, ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    private static String required(Properties p, String key, List<String> missing) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            missing.add(key);
            return null;
        }
        return value.trim();
    }

    @Override
    public String toString() {
        return "MerchantSettings[mch " + mchId + ", app " + appId + ", " + signType + ", notify "
                + notifyPath + (apiV3Key == null ? "" : ", APIv3") + "]";
    }
}
