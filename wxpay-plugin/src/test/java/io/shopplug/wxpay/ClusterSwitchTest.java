package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cluster-wide switch: shared through the database, cached per node for two seconds. */
class ClusterSwitchTest {
    private final ConsoleFixture db = new ConsoleFixture();
    private final ClusterSwitch nodeA = new ClusterSwitch(db.store, db.ticker());
    private final ClusterSwitch nodeB = new ClusterSwitch(db.store, db.ticker());

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void onUntilSomebodySwitchesItOff() {
        assertTrue(nodeA.isOn());
        assertFalse(nodeA.state().changedBy().isPresent());
    }

    @Test
    void theOtherNodeObeysOnceItsCacheExpires() {
        assertTrue(nodeB.isOn());

        nodeA.set(false, "admin");

        assertFalse(nodeA.isOn(), "the node that switched obeys at once");
        assertTrue(nodeB.isOn(), "node B still trusts what it read");
        db.advance(ClusterSwitch.CACHE_FOR.minusMillis(1));
        assertTrue(nodeB.isOn());
        db.advance(Duration.ofMillis(2));
        assertFalse(nodeB.isOn());
        assertEquals("admin", nodeB.state().changedBy().orElse(null));
        assertEquals(ConsoleFixture.T0, nodeB.state().changedAt().orElse(null));

        nodeB.set(true, "ops");
        db.advance(ClusterSwitch.CACHE_FOR.plusMillis(1));
        assertTrue(nodeA.isOn());
        assertEquals(2, db.tables.count("SELECT COUNT(*) FROM wxpay_audit WHERE action = 'setting'"));
        assertEquals("ops", db.tables.rows("SELECT actor FROM wxpay_audit ORDER BY id DESC").get(0).get("actor"));
    }

    @Test
    void anUnreadableDatabaseKeepsTheLastKnownValue() {
        nodeA.set(false, "admin");
        assertFalse(nodeB.isOn() && advanceAndRead());

        db.sql("DROP TABLE wxpay_setting");
        db.advance(ClusterSwitch.CACHE_FOR.plusMillis(1));

        assertFalse(nodeB.isOn(), "off stays off while the setting cannot be read");
    }

    private boolean advanceAndRead() {
        db.advance(ClusterSwitch.CACHE_FOR.plusMillis(1));
        return nodeB.isOn();
    }
}
