package io.shopplug.wxpay;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys WeChat Pay signs one merchant's notifications with, chosen by {@code Wechatpay-Serial}.
 * Platform-certificate mode (several certificates at once, for rotation), public-key mode (one RSA
 * key under its {@code PUB_KEY_ID_...} id), or both at once during a migration.
 *
 * <p>Lookups of a known serial read an immutable snapshot and never block. An unknown serial
 * triggers at most one refresh from the {@link CertificateSource}, and such refreshes happen at
 * most once per refresh interval (default 60 s, on the injected {@link Clock}); concurrent misses
 * wait for and share one refresh. A certificate that disappears from the source is kept until it
 * expires; an expired certificate is never returned. Thread-safe.
 */
final class PlatformKeys {
    /** Default minimum time between two refreshes caused by unknown serials. */
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(60);
    /** Every WeChat Pay public-key id starts with this. */
    static final String PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_";

    private static final Logger LOG = LoggerFactory.getLogger(PlatformKeys.class);

    private final CertificateSource source;
    private final PlatformKey publicKey;
    private final Duration refreshInterval;
    private final Clock clock;
    private final Object refreshLock = new Object();

    /** Certificate keys by serial; replaced whole, never mutated. */
    private volatile Map<String, PlatformKey> certificates = Collections.emptyMap();
    /** When the last refresh started; guarded by {@code refreshLock}. */
    private Instant lastRefresh;

    private PlatformKeys(Builder b) {
        this.source = b.source;
        this.publicKey = b.publicKeyId == null ? null
                : new PlatformKey(b.publicKeyId, PlatformKey.Algorithm.RSA, PlatformKey.Kind.PUBLIC_KEY,
                        b.publicKeyValue, null);
        this.refreshInterval = b.refreshInterval;
        this.clock = b.clock;
    }

    /** Starts a configuration; at least one of certificates and public key must be given. */
    static Builder builder(Clock clock) {
        return new Builder(clock);
    }

    /**
     * @param serial the {@code Wechatpay-Serial} header value
     * @return the key to verify with, or empty (the caller rejects with
     *     {@link Reason#UNKNOWN_SERIAL}) when no unexpired key has that serial even after the
     *     one refresh the rate limit allows
     */
    Optional<PlatformKey> find(String serial) {
        if (serial == null || serial.isEmpty()) {
            return Optional.empty();
        }
        if (serial.startsWith(PUBLIC_KEY_ID_PREFIX)) {
            // A public-key id is configured, never fetched: a refresh could not help.
            return publicKey != null && publicKey.serial().equals(serial)
                    ? Optional.of(publicKey) : Optional.empty();
        }
        String normalized = normalize(serial);
        PlatformKey found = usable(normalized);
        if (found == null && source != null) {
            refreshOnMiss();
            found = usable(normalized);
        }
        return Optional.ofNullable(found);
    }

    /**
     * Fetches the certificates now, whatever the rate limit (for a scheduler: WeChat Pay lists a
     * new certificate 24 h before it is used; refresh at least every 12 h).
     *
     * @throws IllegalStateException if the source fails; the keys already held stay in use
     */
    void refresh() {
        if (source == null) {
            return;
        }
        synchronized (refreshLock) {
            try {
                doRefresh();
            } catch (Exception e) {
                throw new IllegalStateException("platform certificates could not be fetched", e);
            }
        }
    }

    /**
     * Every key held, for a status page: the public key first, then the certificates by serial,
     * including expired certificates not yet dropped by a refresh.
     */
    List<PlatformKey> all() {
        List<PlatformKey> all = new ArrayList<>();
        if (publicKey != null) {
            all.add(publicKey);
        }
        all.addAll(certificates.values());
        return Collections.unmodifiableList(all);
    }

    private PlatformKey usable(String serial) {
        PlatformKey key = certificates.get(serial);
        return key == null || key.expiredAt(clock.instant()) ? null : key;
    }

    private void refreshOnMiss() {
        synchronized (refreshLock) {
            Instant now = clock.instant();
            if (lastRefresh != null && now.isBefore(lastRefresh.plus(refreshInterval))) {
                // Refreshed recently, possibly by a concurrent miss we just waited for.
                return;
            }
            try {
                doRefresh();
            } catch (Exception e) {
                // The source's own message may quote an answer; the type is enough here.
                LOG.warn("wxpay: platform certificates could not be fetched ({}); keeping {} held",
                        e.getClass().getName(), certificates.size());
            }
        }
    }

    /** Caller holds {@code refreshLock}. */
    private void doRefresh() throws Exception {
        Instant now = clock.instant();
        lastRefresh = now;
        List<X509Certificate> fetched = Objects.requireNonNull(source.fetch(), "fetched certificates");
        Map<String, PlatformKey> next = new LinkedHashMap<>();
        for (PlatformKey old : certificates.values()) {
            if (!old.expiredAt(now)) {
                next.put(old.serial(), old);
            }
        }
        for (X509Certificate certificate : fetched) {
            PlatformKey key = keyOf(certificate);
            if (key != null && !key.expiredAt(now)) {
                next.put(key.serial(), key);
            }
        }
        certificates = Collections.unmodifiableMap(next);
    }

    private static PlatformKey keyOf(X509Certificate certificate) {
        String serial = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        PublicKey key = certificate.getPublicKey();
        Optional<PlatformKey.Algorithm> algorithm = PlatformKey.Algorithm.of(key);
        if (!algorithm.isPresent()) {
            LOG.warn("wxpay: platform certificate {} skipped: key is neither RSA nor SM2", serial);
            return null;
        }
        return new PlatformKey(serial, algorithm.get(), PlatformKey.Kind.CERTIFICATE, key,
                certificate.getNotAfter().toInstant());
    }

    /** Certificate serials are hex numbers: compare them uppercase, without leading zeros. */
    private static String normalize(String serial) {
        String upper = serial.toUpperCase(Locale.ROOT);
        int i = 0;
        while (i < upper.length() - 1 && upper.charAt(i) == '0') {
            i++;
        }
        return upper.substring(i);
    }

    /** Configures one merchant's {@link PlatformKeys}. */
    static final class Builder {
        private final Clock clock;
        private CertificateSource source;
        private String publicKeyId;
        private PublicKey publicKeyValue;
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;

        private Builder(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /** Platform-certificate mode: certificates come from {@code source}. */
        Builder certificates(CertificateSource source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Public-key mode: {@code Wechatpay-Serial} must equal {@code id} exactly.
         *
         * @throws IllegalArgumentException if the id does not start with {@code PUB_KEY_ID_} or
         *     the key is not an RSA key
         */
        Builder publicKey(String id, PublicKey key) {
            if (id == null || !id.startsWith(PUBLIC_KEY_ID_PREFIX) || id.length() == PUBLIC_KEY_ID_PREFIX.length()) {
                throw new IllegalArgumentException("the public key id must start with " + PUBLIC_KEY_ID_PREFIX);
            }
            if (key == null || PlatformKey.Algorithm.of(key).orElse(null) != PlatformKey.Algorithm.RSA) {
                throw new IllegalArgumentException("the WeChat Pay public key must be an RSA key");
            }
            this.publicKeyId = id;
            this.publicKeyValue = key;
            return this;
        }

        /** Minimum time between two refreshes caused by unknown serials; default 60 s. */
        Builder refreshInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("the refresh interval must not be negative");
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * Builds without fetching: the first unknown serial (or an explicit {@link #refresh()})
         * loads the certificates.
         *
         * @throws IllegalStateException if neither certificates nor a public key were configured
         */
        PlatformKeys build() {
            if (source == null && publicKeyId == null) {
                throw new IllegalStateException("configure platform certificates, a public key, or both");
            }
            return new PlatformKeys(this);
        }
    }
}
