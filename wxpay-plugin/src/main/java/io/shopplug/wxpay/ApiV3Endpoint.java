package io.shopplug.wxpay;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIv3 notification, from headers and raw body to answer: verify the signature with the key
 * chosen by {@code Wechatpay-Serial} (timestamp window, probes), guard against identical copies in
 * flight, decrypt the resource, check the merchant, and hand each payment or refund to the
 * {@link NotifyProcessor}. Events the plugin does not act on are acknowledged and logged as
 * IGNORED. Thread-safe.
 */
final class ApiV3Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ApiV3Endpoint.class);

    private final NotifyProcessor processor;
    private final NotifyLog notifyLog;
    private final Merchants merchants;
    private final ReplayGuard guard;
    private final NotifyMetrics metrics;

    /** With metrics of its own, seen by nobody. */
    ApiV3Endpoint(NotifyProcessor processor, NotifyLog notifyLog, Merchants merchants, ReplayGuard guard) {
        this(processor, notifyLog, merchants, guard, new NotifyMetrics());
    }

    ApiV3Endpoint(NotifyProcessor processor, NotifyLog notifyLog, Merchants merchants, ReplayGuard guard,
            NotifyMetrics metrics) {
        this.processor = processor;
        this.notifyLog = notifyLog;
        this.merchants = merchants;
        this.guard = guard;
        this.metrics = metrics;
    }

    /** Handles one notification for one of {@code candidates} (the merchants on its path). */
    Answer handle(ApiV3Headers headers, byte[] body, String remoteAddr, List<Merchants.Merchant> candidates) {
        String event = null;
        List<Notification> notifications = List.of();
        ReplayGuard.Ticket ticket = null;
        try {
            List<Merchants.Merchant> v3 = withApiV3(candidates);
            v3.get(0).v3Verifier().checkHeaders(headers);
            // A copy of a request the guard holds was verified once already: answer it from there.
            ReplayGuard.Key replayKey = ReplayGuard.key(scope(v3), headers, body);
            ReplayGuard.State seen = guard.peek(replayKey);
            Merchants.Merchant merchant = null;
            if (seen == null) {
                merchant = verify(headers, body, v3);
                ticket = guard.begin(replayKey);
                seen = ticket.state();
            }
            if (seen == ReplayGuard.State.IN_FLIGHT) {
                throw new NotifyRejected(Reason.REPLAY_IN_FLIGHT);
            }
            if (seen == ReplayGuard.State.DONE) {
                log(Outcome.DUPLICATE, null, null, remoteAddr, "identical copy");
                notifyLog.append("v3", Outcome.DUPLICATE, null, null, null, remoteAddr);
                return Answer.v3Success();
            }
            ApiV3Notify.Envelope envelope = ApiV3Notify.parseEnvelope(body);
            event = envelope.eventType();
            notifications = ApiV3Notify.toNotifications(event, envelope.decrypt(merchant.v3Cipher()));
            Outcome outcome = notifications.isEmpty() ? Outcome.IGNORED : process(notifications, merchant, remoteAddr);
            if (outcome == Outcome.IGNORED) {
                log(Outcome.IGNORED, null, null, remoteAddr, Logs.safe(event));
                notifyLog.append("v3", Outcome.IGNORED, null, null, null, remoteAddr);
            }
            ticket.committed();
            return Answer.v3Success();
        } catch (NotifyRejected e) {
            Notification first = notifications.isEmpty() ? null : notifications.get(0);
            String order = first == null ? null : first.outTradeNo();
            String key = first == null ? null : first.businessKey();
            log(Outcome.REJECTED, e.reason(), first, remoteAddr, Logs.safe(event));
            if (e.reason() != Reason.DATABASE_UNAVAILABLE) {
                notifyLog.append("v3", Outcome.REJECTED, e.reason(), order, key, remoteAddr);
            }
            return Answer.v3Failure(e.reason());
        } finally {
            // Whatever ended it (a refusal, or an unexpected exception that the filter answers
            // with a 500), a claim that was not committed is released, so a retry is processed
            // instead of being told "in flight" until it is too old to be accepted at all.
            if (ticket != null) {
                ticket.failed();
            }
        }
    }

    /** Rejects before the body is read (switched off, wrong method, too large...): log only. */
    Answer refuse(Reason reason, String remoteAddr) {
        LOG.info("wxpay notify api=v3 outcome=REJECTED reason={} from={}", reason, remoteAddr);
        metrics.counted(Outcome.REJECTED, reason);
        return Answer.v3Failure(reason);
    }

    /** The candidates with APIv3 configured; refuses when there is none. */
    private static List<Merchants.Merchant> withApiV3(List<Merchants.Merchant> candidates) {
        List<Merchants.Merchant> v3 = new ArrayList<>(candidates.size());
        for (Merchants.Merchant m : candidates) {
            if (m.hasApiV3()) {
                v3.add(m);
            }
        }
        if (v3.isEmpty()) {
            throw new NotifyRejected(Reason.API_V3_NOT_CONFIGURED);
        }
        return v3;
    }

    /** The merchants a request could be for, as part of its replay key. */
    private static String scope(List<Merchants.Merchant> v3) {
        if (v3.size() == 1) {
            return v3.get(0).config().mchId();
        }
        StringBuilder scope = new StringBuilder();
        for (Merchants.Merchant m : v3) {
            scope.append(m.config().mchId()).append(',');
        }
        return scope.toString();
    }

    /**
     * Verifies with the first candidate that knows the serial; the first candidate's verdict
     * stands for every other failure (probe, window, signature).
     */
    private static Merchants.Merchant verify(ApiV3Headers headers, byte[] body, List<Merchants.Merchant> v3) {
        NotifyRejected unknown = null;
        for (Merchants.Merchant m : v3) {
            try {
                m.v3Verifier().verify(headers, body);
                return m;
            } catch (NotifyRejected e) {
                if (e.reason() != Reason.UNKNOWN_SERIAL) {
                    throw e;
                }
                unknown = e;
            }
        }
        throw unknown;
    }

    /** Every payment or refund of the notification (several for a combine payment), each exactly once. */
    private Outcome process(List<Notification> notifications, Merchants.Merchant verified, String remoteAddr) {
        for (Notification n : notifications) {
            merchants.check(n, verified);
        }
        Outcome overall = Outcome.DUPLICATE;
        for (Notification n : notifications) {
            Outcome outcome = processor.process(n);
            log(outcome, null, n, remoteAddr, null);
            notifyLog.append("v3", outcome, null, n.outTradeNo(), n.businessKey(), remoteAddr);
            if (outcome == Outcome.ACCEPTED) {
                overall = Outcome.ACCEPTED;
            }
        }
        return overall;
    }

    private void log(Outcome outcome, Reason reason, Notification n, String remoteAddr, String detail) {
        metrics.counted(outcome, reason);
        String order = n == null ? null : Logs.safe(n.outTradeNo());
        String key = n == null ? null : Logs.safe(n.businessKey());
        if (reason != null && reason.retryable()) {
            LOG.warn("wxpay notify api=v3 outcome={} reason={} order={} key={} event={} from={}",
                    outcome, reason, order, key, detail, remoteAddr);
        } else {
            LOG.info("wxpay notify api=v3 outcome={} reason={} order={} key={} event={} from={}",
                    outcome, reason, order, key, detail, remoteAddr);
        }
    }
}
