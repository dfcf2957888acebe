package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers, on this node, the APIv3 notifications seen within the timestamp window, keyed on a
 * digest of the whole request as signed and received ({@link #key}), so that identical copies that
 * arrive together do not race through the pipeline. It follows the design's rule that no guard may
 * lose a genuine notify: a copy of one that is still being processed is told to retry
 * ({@link State#IN_FLIGHT}), a copy of one that was committed is a duplicate ({@link State#DONE}),
 * and a copy of one that failed is processed again. It is only a fast path: the database's unique
 * key is what makes a replay harmless, across nodes and after a restart. Thread-safe; each
 * decision is atomic.
 *
 * <p>A key enters the guard only through {@link #begin}, after its request's signature verified.
 * A later request with the same key carries the same signature over the same bytes, under the
 * same serial, on the same notify path, so {@link #peek} may answer it before any signature is
 * checked again: the cryptography was done once for those bytes. The caller still checks the
 * headers and the timestamp window of every copy first. (A platform certificate that expires
 * within those five minutes still answers the copies of what it verified before: as duplicates,
 * which change nothing.)
 */
final class ReplayGuard {
    /** Default time an entry is kept after its last change: the timestamp window. */
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(ApiV3Verifier.WINDOW_SECONDS);
    /** Default maximum number of entries (about 10 MB). */
    static final long DEFAULT_MAXIMUM_SIZE = 100_000;

    /** What {@link #begin} found. */
    enum State {
        /** First time seen (or the earlier copy failed): process it, then end the ticket. */
        NEW,
        /** An identical copy is being processed right now: answer {@link Reason#REPLAY_IN_FLIGHT}. */
        IN_FLIGHT,
        /** An identical copy was committed: answer a duplicate SUCCESS without touching the database. */
        DONE
    }

    /** The value of a committed key; an in-flight key holds its NEW ticket's own marker. */
    private static final Object COMMITTED = new Object();

    private final Cache<Key, Object> seen;
    private final ConcurrentMap<Key, Object> map;
    private final Map<State, LongAdder> counts = new EnumMap<>(State.class);

    /** A guard with the default window (300 s) and size on the system ticker. */
    ReplayGuard() {
        this(DEFAULT_WINDOW, DEFAULT_MAXIMUM_SIZE, Ticker.systemTicker());
    }

    /**
     * @param window how long a key is kept after it was begun or committed
     * @param maximumSize the most keys kept; beyond it the oldest go first (a lost key only
     *     costs a trip to the database)
     * @param ticker the time source (a fake one in tests)
     */
    ReplayGuard(Duration window, long maximumSize, Ticker ticker) {
        this.seen = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(maximumSize)
                .ticker(ticker).build();
        this.map = seen.asMap();
        for (State state : State.values()) {
            counts.put(state, new LongAdder());
        }
    }

    /**
     * The key of one request: a SHA-256 digest of {@code scope} (the notify path's merchants),
     * the {@code Wechatpay-*} headers and the raw body.
     *
     * @throws NullPointerException if a header other than the signature type is absent
     */
    static Key key(String scope, ApiV3Headers headers, byte[] body) {
        return Key.of(scope, headers, body);
    }

    /**
     * What the guard knows of a request, without claiming it or waiting: {@link State#DONE} or
     * {@link State#IN_FLIGHT} (counted as {@link #begin} counts them), or null when the key is not
     * held and the request must be verified and then begun.
     */
    State peek(Key key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        State state = value == COMMITTED ? State.DONE : State.IN_FLIGHT;
        counts.get(state).increment();
        return state;
    }

    /**
     * Claims a notification. Call it after the signature verified (so only genuine notifications
     * take space, and {@link #peek} may stand for the verify) and, for a {@link State#NEW} ticket,
     * end it with {@link Ticket#committed()} or {@link Ticket#failed()} in a {@code finally}.
     */
    Ticket begin(Key key) {
        Object inFlight = new Object();
        Object previous = map.putIfAbsent(key, inFlight);
        State state = previous == null ? State.NEW : previous == COMMITTED ? State.DONE : State.IN_FLIGHT;
        counts.get(state).increment();
        return new Ticket(key, state, inFlight);
    }

    /** How many {@link #begin} and {@link #peek} calls found {@code state} since start. */
    long count(State state) {
        return counts.get(state).sum();
    }

    /** About how many keys are held now. */
    long size() {
        return seen.estimatedSize();
    }

    /** One claim on a notification; only a {@link State#NEW} ticket changes the guard when ended. */
    final class Ticket {
        private final Key key;
        private final State state;
        /** This ticket's value in the map while it is in flight (only meaningful when NEW). */
        private final Object inFlight;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Ticket(Key key, State state, Object inFlight) {
            this.key = key;
            this.state = state;
            this.inFlight = inFlight;
        }

        State state() { return state; }

        /**
         * The outcome was ACCEPTED, DUPLICATE or IGNORED: identical copies within the window are
         * now duplicates. Does nothing after the first end, or for a ticket that is not NEW.
         */
        void committed() {
            if (state == State.NEW && ended.compareAndSet(false, true)) {
                map.replace(key, inFlight, COMMITTED);
            }
        }

        /**
         * The notification was rejected or failed: the key is forgotten, so a retry is processed
         * again. Does nothing after the first end, or for a ticket that is not NEW.
         */
        void failed() {
            if (state == State.NEW && ended.compareAndSet(false, true)) {
                map.remove(key, inFlight);
            }
        }
    }

    /** SHA-256 of the request: 32 bytes per key whatever the body's length. */
    static final class Key {
        private final byte[] digest;
        private final int hash;

        private Key(byte[] digest) {
            this.digest = digest;
            this.hash = Arrays.hashCode(digest);
        }

        /** Looked up once; cloned per key (the JDK's SHA-256 clones). */
        private static final MessageDigest SHA256 = sha256();

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        }

        static Key of(String scope, ApiV3Headers h, byte[] body) {
            MessageDigest sha256;
            try {
                sha256 = (MessageDigest) SHA256.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("SHA-256 cannot be cloned", e);
            }
            // The type as the verifier reads it: absent and RSA are one, an empty header another.
            String type = ApiV3Verifier.signatureType(h);
            for (String part : new String[] {scope, type, h.serial(), h.timestamp(), h.nonce(), h.signature()}) {
                update(sha256, Objects.requireNonNull(part, "scope, serial, timestamp, nonce and signature are required")
                        .getBytes(StandardCharsets.UTF_8));
            }
            update(sha256, Objects.requireNonNull(body, "body"));
            return new Key(sha256.digest());
        }

        /** Separates the parts unambiguously: a length prefix, then the bytes. */
        private static void update(MessageDigest sha256, byte[] bytes) {
            int n = bytes.length;
            sha256.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            sha256.update(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && Arrays.equals(digest, ((Key) o).digest);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
