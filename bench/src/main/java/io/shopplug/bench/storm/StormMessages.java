package io.shopplug.bench.storm;

import io.shopplug.bench.storm.StormPlan.Forgery;
import io.shopplug.bench.storm.StormPlan.Shot;
import io.shopplug.simulator.ApiV3Message;
import io.shopplug.simulator.ApiV3Notice;
import io.shopplug.simulator.ApiV3Notice.Breakage;
import io.shopplug.simulator.ApiV3Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.PlatformIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every request of the storm, signed before the clock starts: for each order its
 * {@link StormOptions#signatures()} signed copies of one {@code TRANSACTION.SUCCESS} (same
 * transaction id, fresh nonce and timestamp each), and the forgeries. Signing costs about a
 * millisecond, so it is all done up front, in parallel, in the order the storm first needs each
 * one. WeChat Pay's timestamps must be within 300 s of the receiver's clock: a signed copy whose
 * timestamp is more than {@value #RESIGN_AFTER_SECONDS} s old when its turn comes is signed again
 * (counted in {@link #resigned()}), as WeChat Pay signs each retry when it sends it.
 */
final class StormMessages {
    static final long RESIGN_AFTER_SECONDS = 240;
    private static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");

    private final StormPlan plan;
    private final StormOrders orders;
    private final ApiV3Notifications notices;
    private final Clock clock;
    private final URI notifyUri;
    private final int signatures;
    private final String[] transactionIds;
    private final String[] baitTransactionIds;
    private final Slot[] slots;
    private final byte[][] forged;
    private final AtomicInteger resigned = new AtomicInteger();
    private final String unknownSerial;
    private long signingMillis;
    private int signed;

    /** One order's signed copy; signed again when too old. */
    private final class Slot {
        private final int order;
        private volatile byte[] request;
        private volatile long timestamp;
        private ApiV3Message message;

        Slot(int order) {
            this.order = order;
        }

        synchronized void sign() {
            message = notices.build(genuineNotice(order));
            timestamp = Long.parseLong(message.header("Wechatpay-Timestamp"));
            request = request(message.headers(), message.body());
        }

        byte[] current() {
            if (clock.instant().getEpochSecond() - timestamp > RESIGN_AFTER_SECONDS) {
                synchronized (this) {
                    if (clock.instant().getEpochSecond() - timestamp > RESIGN_AFTER_SECONDS) {
                        sign();
                        resigned.incrementAndGet();
                    }
                }
            }
            return request;
        }
    }

    StormMessages(StormPlan plan, StormOrders orders, PlatformIdentity platform, Merchant merchant,
            URI notifyUri, StormOptions options, Clock clock) {
        this.plan = plan;
        this.orders = orders;
        this.clock = clock;
        this.notifyUri = notifyUri;
        this.signatures = options.signatures();
        this.notices = new ApiV3Notifications(merchant, platform, clock);
        String day = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(clock.withZone(BEIJING)));
        // 28 digits like WeChat Pay's: 4200, six from the seed, the date, ten from the order.
        String prefix = String.format("4200%06d%s", Math.floorMod(options.seed(), 1_000_000L), day);
        transactionIds = new String[plan.orders()];
        for (int i = 0; i < transactionIds.length; i++) {
            transactionIds[i] = prefix + String.format("%010d", i);
        }
        baitTransactionIds = new String[plan.baitOrders()];
        for (int i = 0; i < baitTransactionIds.length; i++) {
            baitTransactionIds[i] = prefix + String.format("%010d", 9_000_000_000L + i);
        }
        slots = new Slot[plan.orders() * signatures];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i / signatures);
        }
        forged = new byte[plan.shots()][];
        String serial = platform.serial();
        String other = serial.substring(0, serial.length() - 6) + (serial.endsWith("000000") ? "999999" : "000000");
        unknownSerial = other;
    }

    /** The demo merchant of the sample shop's {@code wxpay.properties}, with its APIv3 key. */
    static Merchant demoMerchant(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream("wxpay.properties")) {
            if (in == null) {
                throw new IllegalStateException("wxpay.properties (the sample shop's) is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Merchant.of(p.getProperty("wxpay.app-id").trim(), p.getProperty("wxpay.mch-id").trim(),
                p.getProperty("wxpay.api-v2-key").trim(), p.getProperty("wxpay.sign-type", "MD5").trim())
                .withApiV3Key(p.getProperty("wxpay.api-v3-key").trim());
    }

    /** The transaction id WeChat Pay gave genuine order {@code i}. */
    String transactionId(int i) {
        return transactionIds[i];
    }

    /** The transaction id the forgeries claim for bait order {@code i}. */
    String baitTransactionId(int i) {
        return baitTransactionIds[i];
    }

    /**
     * Signs every genuine copy, the stale replays and the bait payments with {@code threads}
     * threads, then builds the forgeries.
     */
    void signAll(int threads, Deadline deadline) throws Exception {
        long start = System.nanoTime();
        // First use first: the copies needed at the start are signed first and least stale.
        List<Runnable> work = new ArrayList<>();
        boolean[] queued = new boolean[slots.length];
        for (int s = 0; s < plan.shots(); s++) {
            Shot shot = plan.shot(s);
            if (!shot.forged()) {
                int slot = shot.order() * signatures + shot.signature();
                if (!queued[slot]) {
                    queued[slot] = true;
                    work.add(slots[slot]::sign);
                }
            }
        }
        int[] staleOrders = plan.staleOrders();
        byte[][] stale = new byte[staleOrders.length][];
        for (int i = 0; i < stale.length; i++) {
            int index = i;
            work.add(() -> stale[index] = request(notices.build(
                    genuineNotice(staleOrders[index]).broken(Breakage.STALE_TIMESTAMP))));
        }
        byte[][] bait = new byte[plan.baitOrders()][];
        for (int i = 0; i < bait.length; i++) {
            int index = i;
            work.add(() -> bait[index] = request(notices.build(ApiV3Notice.payment(orders.bait(index).outTradeNo(),
                    orders.bait(index).amountFen()).withTransactionId(baitTransactionIds[index])
                    .broken(Breakage.WRONG_SIGNING_KEY))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Runnable r : work) {
                done.add(pool.submit(() -> {
                    deadline.check("signing");
                    r.run();
                }));
            }
            for (Future<?> f : done) {
                f.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        signed = work.size();
        for (int s = 0; s < plan.shots(); s++) {
            Shot shot = plan.shot(s);
            if (shot.forged()) {
                forged[s] = forgery(shot, stale, bait);
            }
        }
        signingMillis = (System.nanoTime() - start) / 1_000_000;
    }

    private byte[] forgery(Shot shot, byte[][] stale, byte[][] bait) {
        if (shot.forgery() == Forgery.STALE_TIMESTAMP) {
            return stale[shot.order()];
        }
        if (shot.forgery() == Forgery.UNTRUSTED_KEY) {
            return bait[shot.order()];
        }
        ApiV3Message genuine = slots[shot.order() * signatures].message;
        Map<String, String> headers = new LinkedHashMap<>(genuine.headers());
        byte[] body = genuine.body();
        switch (shot.forgery()) {
            case TAMPERED_BODY -> {
                String json = new String(body, StandardCharsets.UTF_8);
                int at = json.indexOf("\"ciphertext\":\"") + "\"ciphertext\":\"".length();
                char c = json.charAt(at);
                body = (json.substring(0, at) + (c == 'A' ? 'B' : 'A') + json.substring(at + 1))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case SPLICED_SIGNATURE -> {
                // A valid signature by the genuine key, of another notification.
                ApiV3Message other = plan.orders() > 1
                        ? slots[((shot.order() + 1) % plan.orders()) * signatures].message
                        : null;
                headers.put("Wechatpay-Signature", other != null ? other.header("Wechatpay-Signature")
                        : genuine.header("Wechatpay-Signature").substring(1) + "A");
            }
            case UNKNOWN_SERIAL -> headers.put("Wechatpay-Serial", unknownSerial);
            default -> throw new IllegalStateException("forgery " + shot.forgery());
        }
        return request(headers, body);
    }

    private ApiV3Notice genuineNotice(int order) {
        StormOrders.Placed placed = orders.genuine(order);
        return ApiV3Notice.payment(placed.outTradeNo(), placed.amountFen()).withTransactionId(transactionIds[order]);
    }

    /** The request for shot {@code index} of the plan, as bytes on the wire. */
    byte[] request(int index) {
        Shot shot = plan.shot(index);
        if (shot.forged()) {
            return forged[index];
        }
        return slots[shot.order() * signatures + shot.signature()].current();
    }

    private byte[] request(ApiV3Message message) {
        return request(message.headers(), message.body());
    }

    private byte[] request(Map<String, String> headers, byte[] body) {
        return WireClient.render(notifyUri.getHost(), notifyUri.getPort(), notifyUri.getPath(), headers, body);
    }

    /** How many notifications were signed up front. */
    int signed() {
        return signed;
    }

    /** How long signing (and building the forgeries) took. */
    long signingMillis() {
        return signingMillis;
    }

    /** Copies signed again during the run because their timestamp had grown too old. */
    int resigned() {
        return resigned.get();
    }
}
