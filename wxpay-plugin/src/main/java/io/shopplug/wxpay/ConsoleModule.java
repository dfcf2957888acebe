package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.time.Clock;

/**
 * Binds the admin console's parts: its store, the cluster-wide switch, the metrics registry, the
 * key inventory and who may get in. Opens nothing; the engine registers the servlet.
 */
final class ConsoleModule extends AbstractModule {

    @Provides
    @Singleton
    ConsoleStore consoleStore(Database database, Clock clock) {
        return new ConsoleStore(database.sessionFactory(), clock);
    }

    @Provides
    @Singleton
    ClusterSwitch clusterSwitch(ConsoleStore store, Ticker ticker) {
        return new ClusterSwitch(store, ticker);
    }

    @Provides
    @Singleton
    NotifyMetrics metrics() {
        return new NotifyMetrics();
    }

    /** What the configuration names; the APIv3 verifier replaces this with the keys it loaded. */
    @Provides
    @Singleton
    KeyInventory keys(WxPayConfig config) {
        return new ConfiguredKeys(config);
    }

    @Provides
    @Singleton
    ConsoleAccess access(HostHooks hooks, WxPayConfig config) {
        return new ConsoleAccess(hooks.adminAccess(), config.metricsToken());
    }
}
