package io.shopplug.wxpay;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Refreshes the downloaded platform certificates of every merchant that downloads them, every
 * {@link #EVERY} (WeChat Pay lists a new certificate a day before it signs with it). The first
 * refresh is one period after start: no network at start-up; an unknown serial before then
 * triggers its own (rate-limited) download. Does nothing when no merchant downloads certificates.
 */
final class CertificateRefresher implements AutoCloseable {
    static final Duration EVERY = Duration.ofHours(12);

    private final ScheduledExecutorService scheduler;

    CertificateRefresher(Merchants merchants) {
        if (!merchants.anyDownloadsCertificates()) {
            scheduler = null;
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wxpay-certificates");
            t.setDaemon(true);
            return t;
        });
        long ms = EVERY.toMillis();
        scheduler.scheduleWithFixedDelay(merchants::refreshCertificates, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Whether a refresh is scheduled at all. */
    boolean isScheduled() {
        return scheduler != null;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
