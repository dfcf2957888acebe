package io.shopplug.simulator;

import io.shopplug.simulator.DeliveryAttempt.Outcome;
import io.shopplug.simulator.DeliveryResult.Status;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications the way WeChat Pay does, and after every failure retries on WeChat's
 * schedule until an attempt is acknowledged or the schedule runs out.
 *
 * <ul>
 *   <li>APIv2 (XML bodies): {@code POST} with {@code Content-Type: text/xml}; acknowledged by
 *       HTTP 200 and XML {@code return_code} SUCCESS.
 *   <li>APIv3 ({@link ApiV3Message}): {@code POST} with {@code Content-Type: application/json}
 *       and the {@code Wechatpay-*} headers; judged by the HTTP status alone: 200 or 204 is
 *       acknowledged whatever the body says, any other status is a failure.
 * </ul>
 *
 * <p>The first attempt starts at once; after the n-th failed attempt the next waits the n-th
 * delay of the schedule, so the default schedule of 15 delays makes at most 16 attempts. Anything
 * but an acknowledgement is a failure: a FAIL answer, another status, no answer within the
 * timeout, no connection.
 *
 * <p>Attempts run on a small pool of daemon threads; listeners are called on those threads, one
 * attempt at a time per delivery, and an exception from a listener is logged and ignored.
 * {@link #close()} stops the pool and completes every pending delivery as
 * {@link Status#CANCELLED}. Thread-safe.
 */
public final class NotifyDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyDelivery.class);

    /** WeChat's APIv2/APIv3 retry delays: 15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h. */
    public static final List<Duration> WECHAT_RETRY_SCHEDULE = List.of(
            Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(3), Duration.ofMinutes(10), Duration.ofMinutes(20),
            Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofMinutes(30),
            Duration.ofMinutes(60), Duration.ofHours(3), Duration.ofHours(3),
            Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(6));

    /** How long an attempt waits for an answer unless configured: 5 seconds, as WeChat. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final List<Duration> delays;
    private final Duration timeout;
    private final Clock clock;
    private final List<Consumer<? super DeliveryAttempt>> listeners;
    private final Scheduler scheduler;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final Set<Delivery> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private NotifyDelivery(Builder b) {
        this.delays = b.schedule.stream().map(d -> d.dividedBy(b.compression)).toList();
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        this.scheduler = b.scheduler != null
                ? b.scheduler : Scheduler.daemonThreads(b.threads, "wechatpay-sim-delivery");
        AtomicInteger count = new AtomicInteger();
        this.httpExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "wechatpay-sim-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor)
                .build();
    }

    /** A delivery with WeChat's schedule, uncompressed, and a 5 second timeout. */
    public static NotifyDelivery create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The delays between attempts, after compression. */
    public List<Duration> retryDelays() {
        return delays;
    }

    /**
     * Delivers an APIv3 notification to {@code notifyUrl}, retrying on the schedule; judged by
     * the HTTP status alone (200 or 204).
     */
    public CompletableFuture<DeliveryResult> deliver(String notifyUrl, ApiV3Message message) {
        return deliver(notifyUrl, message, attempt -> { });
    }

    /**
     * As {@link #deliver(String, ApiV3Message)}; {@code onAttempt} hears of each attempt of this
     * delivery (after the listeners given to the builder).
     *
     * @return completes when delivered, given up or cancelled; never exceptionally
     * @throws IllegalArgumentException if the URL is not http(s)
     * @throws IllegalStateException once closed
     */
    public CompletableFuture<DeliveryResult> deliver(String notifyUrl, ApiV3Message message,
            Consumer<? super DeliveryAttempt> onAttempt) {
        return start(new Delivery(checkUrl(notifyUrl), Wire.v3(message),
                Objects.requireNonNull(onAttempt, "onAttempt")));
    }

    /** Delivers the APIv2 {@code body} to {@code notifyUrl}, retrying on the schedule. */
    public CompletableFuture<DeliveryResult> deliver(String notifyUrl, byte[] body) {
        return deliver(notifyUrl, body, attempt -> { });
    }

    /**
     * Delivers {@code body} to {@code notifyUrl}, retrying on the schedule; {@code onAttempt} hears
     * of each attempt of this delivery (after the listeners given to the builder).
     *
     * @return completes when delivered, given up or cancelled; never exceptionally
     * @throws IllegalArgumentException if the URL is not http(s)
     * @throws IllegalStateException once closed
     */
    public CompletableFuture<DeliveryResult> deliver(String notifyUrl, byte[] body,
            Consumer<? super DeliveryAttempt> onAttempt) {
        return start(new Delivery(checkUrl(notifyUrl), Wire.v2(body),
                Objects.requireNonNull(onAttempt, "onAttempt")));
    }

    private CompletableFuture<DeliveryResult> start(Delivery d) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        pending.add(d);
        d.schedule(Duration.ZERO);
        return d.result;
    }

    /**
     * Sends {@code body} once and waits for the answer, without retries: for tests that fire
     * copies of one notice concurrently.
     *
     * @throws UncheckedIOException when no answer arrives (timeout, no connection)
     */
    public NotifyAnswer sendOnce(String notifyUrl, byte[] body) {
        return sendOnce(checkUrl(notifyUrl), Wire.v2(body));
    }

    /**
     * Sends an APIv3 notification once and waits for the answer, without retries.
     *
     * @throws UncheckedIOException when no answer arrives (timeout, no connection)
     */
    public NotifyAnswer sendOnce(String notifyUrl, ApiV3Message message) {
        return sendOnce(checkUrl(notifyUrl), Wire.v3(message));
    }

    private NotifyAnswer sendOnce(URI url, Wire wire) {
        HttpRequest request = request(url, wire);
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new NotifyAnswer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted"));
        }
    }

    /** Stops the threads and completes every pending delivery as cancelled. Idempotent. */
    @Override
    public void close() {
        closed = true;
        scheduler.close();
        httpExecutor.shutdownNow();
        for (Delivery d : pending) {
            d.finish(Status.CANCELLED);
        }
    }

    private static URI checkUrl(String url) {
        Objects.requireNonNull(url, "notifyUrl");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        return uri;
    }

    private HttpRequest request(URI url, Wire wire) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", wire.apiV3 ? "application/json" : "text/xml");
        wire.headers.forEach(b::header);
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(wire.body)).build();
    }

    /** What goes over the wire for one notice, and which generation judges the answer. */
    private record Wire(boolean apiV3, Map<String, String> headers, byte[] body) {
        static Wire v2(byte[] body) {
            return new Wire(false, Map.of(), body.clone());
        }

        static Wire v3(ApiV3Message message) {
            return new Wire(true, message.headers(), message.body());
        }
    }

    /** One notice on its way: its attempts so far and the future that ends it. */
    private final class Delivery {
        final URI url;
        final Wire wire;
        final Consumer<? super DeliveryAttempt> onAttempt;
        final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
        final CompletableFuture<DeliveryResult> result = new CompletableFuture<>();

        Delivery(URI url, Wire wire, Consumer<? super DeliveryAttempt> onAttempt) {
            this.url = url;
            this.wire = wire;
            this.onAttempt = onAttempt;
        }

        void schedule(Duration delay) {
            try {
                scheduler.schedule(this::attempt, delay);
            } catch (RejectedExecutionException e) {
                finish(Status.CANCELLED);
            }
        }

        void attempt() {
            if (closed) {
                finish(Status.CANCELLED);
                return;
            }
            CompletableFuture<HttpResponse<byte[]>> call;
            try {
                call = http.sendAsync(request(url, wire), HttpResponse.BodyHandlers.ofByteArray())
                        .orTimeout(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            // HttpClient completes on its own or the common pool's threads: hop back to ours,
            // so listeners always run on the delivery threads.
            call.whenComplete((response, error) -> {
                try {
                    scheduler.execute(() -> afterAttempt(response, error));
                } catch (RejectedExecutionException closedMeanwhile) {
                    finish(Status.CANCELLED);
                }
            });
        }

        private void afterAttempt(HttpResponse<byte[]> response, Throwable error) {
            try {
                attempted(response, error);
            } catch (RuntimeException e) {
                LOG.error("delivery to {} failed unexpectedly", url, e);
                finish(Status.CANCELLED);
            }
        }

        private void attempted(HttpResponse<byte[]> response, Throwable error) {
            DeliveryAttempt attempt = describe(attempts.size() + 1, response, error);
            attempts.add(attempt);
            for (Consumer<? super DeliveryAttempt> l : listeners) {
                tell(l, attempt);
            }
            tell(onAttempt, attempt);
            if (attempt.outcome() == Outcome.SUCCESS) {
                finish(Status.DELIVERED);
            } else if (attempt.number() > delays.size()) {
                finish(Status.GAVE_UP);
            } else if (closed) {
                finish(Status.CANCELLED);
            } else {
                schedule(delays.get(attempt.number() - 1));
            }
        }

        private DeliveryAttempt describe(int number, HttpResponse<byte[]> response, Throwable error) {
            String where = url.toString();
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                    return new DeliveryAttempt(number, where, Outcome.TIMEOUT, null,
                            "no answer within " + timeout.toMillis() + " ms", clock.instant());
                }
                String what = cause instanceof ConnectException ? "connection failed"
                        : cause.getClass().getSimpleName();
                String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
                return new DeliveryAttempt(number, where, Outcome.NETWORK_ERROR, null,
                        what + message, clock.instant());
            }
            NotifyAnswer answer = new NotifyAnswer(response.statusCode(), response.body());
            Outcome outcome;
            String detail;
            if (wire.apiV3) {
                // APIv3: WeChat judges by the status alone; a 200 stops retries whatever the body.
                boolean ok = answer.status() == 200 || answer.status() == 204;
                outcome = ok ? Outcome.SUCCESS : Outcome.HTTP_ERROR;
                detail = "HTTP " + answer.status();
            } else if (answer.status() != 200) {
                outcome = Outcome.HTTP_ERROR;
                detail = "HTTP " + answer.status();
            } else if (answer.acknowledged()) {
                outcome = Outcome.SUCCESS;
                detail = answer.returnMsg();
            } else {
                outcome = Outcome.FAIL;
                detail = answer.returnCode().isEmpty() ? "no return_code in the answer"
                        : answer.returnMsg();
            }
            return new DeliveryAttempt(number, where, outcome, answer, detail, clock.instant());
        }

        private void tell(Consumer<? super DeliveryAttempt> listener, DeliveryAttempt attempt) {
            try {
                listener.accept(attempt);
            } catch (RuntimeException e) {
                LOG.warn("attempt listener {} threw; ignored", listener.getClass().getName(), e);
            }
        }

        void finish(Status status) {
            pending.remove(this);
            result.complete(new DeliveryResult(status, new ArrayList<>(attempts)));
        }
    }

    /** Configures a {@link NotifyDelivery}; every setting has a default. */
    public static final class Builder {
        private List<Duration> schedule = WECHAT_RETRY_SCHEDULE;
        private long compression = 1;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Clock clock = Clock.systemUTC();
        private int threads = 2;
        private final List<Consumer<? super DeliveryAttempt>> listeners = new ArrayList<>();
        private Scheduler scheduler;

        private Builder() {
        }

        /**
         * The delays between attempts; default {@link #WECHAT_RETRY_SCHEDULE}. An empty list
         * means one attempt only.
         */
        public Builder retrySchedule(List<Duration> delays) {
            for (Duration d : delays) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("negative delay: " + d);
                }
            }
            this.schedule = List.copyOf(delays);
            return this;
        }

        /**
         * Divides every delay by {@code factor}: {@code compress(1000)} turns 15 s into 15 ms.
         * The timeout is not compressed.
         */
        public Builder compress(long factor) {
            if (factor < 1) {
                throw new IllegalArgumentException("factor must be at least 1");
            }
            this.compression = factor;
            return this;
        }

        /** How long an attempt waits for an answer; default 5 seconds. */
        public Builder timeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = value;
            return this;
        }

        /** Gives the times recorded in attempts; default the system clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Scheduler threads; default 2. */
        public Builder threads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
            this.threads = value;
            return this;
        }

        /** Hears of every attempt of every delivery. */
        public Builder listener(Consumer<? super DeliveryAttempt> value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        Builder scheduler(Scheduler value) {
            this.scheduler = value;
            return this;
        }

        public NotifyDelivery build() {
            return new NotifyDelivery(this);
        }
    }
}
