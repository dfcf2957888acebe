package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The plugin's Jackson set-up. Jackson's default keeps a buffer per thread in a
 * {@code ThreadLocal}; in a servlet container those threads outlive a redeployed plugin and would
 * keep its class loader. Every mapper here recycles its buffers through a pool it owns instead.
 */
final class JsonMappers {
    /** A plain mapper, shared; thread-safe. Never reconfigure it. */
    static final ObjectMapper PLAIN = new ObjectMapper(factory().build());

    private JsonMappers() {}

    /** A factory builder with the plugin's buffer pool, for a mapper with features of its own. */
    static JsonFactoryBuilder factory() {
        return new JsonFactoryBuilder().recyclerPool(JsonRecyclerPools.newLockFreePool());
    }
}
