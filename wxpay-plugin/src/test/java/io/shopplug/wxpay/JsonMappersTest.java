package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMappersTest {
    @Test
    void noMapperKeepsItsBuffersPerThread() {
        assertFalse(JsonMappers.PLAIN.getFactory()._getRecyclerPool() instanceof JsonRecyclerPools.ThreadLocalPool);
        assertFalse(JsonMappers.factory().build()._getRecyclerPool() instanceof JsonRecyclerPools.ThreadLocalPool);
    }

    @Test
    void thePlainMapperReadsAndWritesJson() throws Exception {
        String json = JsonMappers.PLAIN.writeValueAsString(Map.of("a", 1));
        assertEquals(1, JsonMappers.PLAIN.readTree(json).get("a").asInt());
    }
}
