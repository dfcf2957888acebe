package io.shopplug.sample;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings for a shop of its own: ephemeral port, private in-memory database, fast simulator. */
final class TestShops {
    private TestShops() {}

    static String memoryDbUrl() {
        return "jdbc:h2:mem:shop-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    static ShopSettings settings() {
        return settings(Map.of());
    }

    /** As {@link #settings()}, with {@code more} on top (the WeChat Pay mode, a data directory...). */
    static ShopSettings settings(Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of(
                ShopSettings.PORT, "0",
                ShopSettings.DB_URL, memoryDbUrl(),
                ShopSettings.SIMULATOR_COMPRESS, "100"));
        values.putAll(more);
        return ShopSettings.fromMap(values);
    }
}
