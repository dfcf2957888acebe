package io.shopplug.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The demo merchant from {@code wxpay.properties} on the class path: the simulator signs with it
 * and the plugin verifies with it. {@code toString} never prints the key.
 */
record MerchantSettings(String mchId, String appId, String apiV2Key, String signType,
        String notifyPath) {
    static final String RESOURCE = "wxpay.properties";

    /**
     * Reads {@value #RESOURCE} from the class path.
     *
     * @throws IllegalStateException listing every missing key at once
     */
    static MerchantSettings fromClassPath(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        List<String> missing = new ArrayList<>();
        String mchId = required(p, "wxpay.mch-id", missing);
        String appId = required(p, "wxpay.app-id", missing);
        String key = required(p, "wxpay.api-v2-key", missing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(RESOURCE + " lacks " + String.join(", ", missing));
        }
        return new MerchantSettings(mchId, appId, key,
                p.getProperty("wxpay.sign-type", "MD5").trim(),
                p.getProperty("wxpay.notify-path", "/wxpay/notify").trim());
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
                + notifyPath + "]";
    }
}
