package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide on/off switch of the console, kept in the database ({@code wxpay_setting},
 * name {@value #NAME}) so every node behind the load balancer obeys it. Each node reads it through
 * a cache of {@link #CACHE_FOR}, so a change made on any node takes effect everywhere within about
 * that long; the node where it is changed obeys at once. While the database cannot be read, the
 * last value read stays in force (on, before any read succeeded: with the database down the
 * notifications fail as retryable anyway). No row yet means on. Thread-safe.
 */
final class ClusterSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSwitch.class);
    static final String NAME = "enabled";
    /** How long a node trusts the value it read last. */
    static final Duration CACHE_FOR = Duration.ofSeconds(2);

    /** The switch as last read: on or off, with who set it and when (both null if nobody has). */
    static final class State {
        private final boolean on;
        private final String changedBy;
        private final Instant changedAt;

        State(boolean on, String changedBy, Instant changedAt) {
            this.on = on;
            this.changedBy = changedBy;
            this.changedAt = changedAt;
        }

        boolean on() { return on; }
        Optional<String> changedBy() { return Optional.ofNullable(changedBy); }
        Optional<Instant> changedAt() { return Optional.ofNullable(changedAt); }
    }

    private static final State NEVER_SET = new State(true, null, null);

    private final ConsoleStore store;
    private final LoadingCache<String, State> cache;
    private volatile State lastKnown = NEVER_SET;
    private volatile boolean failing;

    ClusterSwitch(ConsoleStore store, Ticker ticker) {
        this.store = Objects.requireNonNull(store, "store");
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(CACHE_FOR)
                .ticker(ticker)
                .executor(Runnable::run) // no thread of a shared pool inside a webapp
                .build(this::load);
    }

    /** Whether notifications are handled, as far as the cluster-wide switch is concerned. */
    boolean isOn() {
        return state().on();
    }

    /** The switch with who changed it last and when; never throws. */
    State state() {
        return cache.get(NAME);
    }

    /**
     * Switches on or off for every node, writing who did it; this node obeys at once.
     *
     * @throws ConsoleStore.Unavailable if the database cannot be written (nothing changed)
     */
    void set(boolean on, String actor) {
        store.putSetting(NAME, Boolean.toString(on), actor);
        cache.invalidate(NAME);
        LOG.info("wxpay switched {} for every node by {}", on ? "on" : "off", ConsoleStore.cut(actor));
    }

    private State load(String name) {
        try {
            State s = store.setting(name)
                    .map(row -> new State(!"false".equals(row.value()), row.updatedBy(), row.updatedAt()))
                    .orElse(NEVER_SET);
            if (failing) {
                failing = false;
                LOG.info("wxpay switch readable again: {}", s.on() ? "on" : "off");
            }
            lastKnown = s;
            return s;
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("wxpay switch cannot be read ({}); keeping the last known value: {}",
                        e.getMessage(), lastKnown.on() ? "on" : "off");
            }
            return lastKnown;
        }
    }
}
