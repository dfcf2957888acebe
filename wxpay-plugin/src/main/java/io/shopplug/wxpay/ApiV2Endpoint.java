package io.shopplug.wxpay;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIv2 payment and refund notifications, from raw body to answer: parse (no DTDs), check the
 * transport flag, authenticate (a payment's sign; a refund's {@code req_info} decrypting under the
 * merchant's key), check the merchant and app, map, then hand over to the {@link NotifyProcessor}. Every notification produces one log line and one notify-log row, with
 * no secret in either. Thread-safe.
 */
final class ApiV2Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ApiV2Endpoint.class);

    private final NotifyProcessor processor;
    private final NotifyLog notifyLog;
    private final NotifyMetrics metrics;

    /** With metrics of its own, seen by nobody. */
    ApiV2Endpoint(NotifyProcessor processor, NotifyLog notifyLog) {
        this(processor, notifyLog, new NotifyMetrics());
    }

    ApiV2Endpoint(NotifyProcessor processor, NotifyLog notifyLog, NotifyMetrics metrics) {
        this.processor = processor;
        this.notifyLog = notifyLog;
        this.metrics = metrics;
    }

    /**
     * Handles one notification for one of {@code merchants} (those configured on the path it
     * arrived at), chosen by its {@code mch_id}: a payment, or a refund when it carries
     * {@code req_info}.
     */
    Answer handle(byte[] body, String remoteAddr, List<Merchants.Merchant> merchants) {
        Map<String, String> fields = null;
        Notification n = null;
        try {
            fields = XmlFields.parse(body, "xml");
            if (!"SUCCESS".equals(fields.get("return_code"))) {
                throw new NotifyRejected(Reason.TRANSPORT_FAIL);
            }
            Merchants.Merchant merchant = Merchants.byMchId(merchants, fields.get("mch_id"))
                    .orElseThrow(() -> new NotifyRejected(Reason.MERCHANT_MISMATCH));
            if (ApiV2RefundNotify.isRefund(fields)) {
                return handleRefund(merchant, fields, remoteAddr);
            }
            ApiV2Signer signer = merchant.v2Signer()
                    .orElseThrow(() -> new NotifyRejected(Reason.MERCHANT_MISMATCH));
            signer.verify(fields);
            checkIds(merchant.config(), fields);
            n = ApiV2PaymentNotify.toNotification(fields);
            Outcome outcome = processor.process(n);
            record(outcome, null, n.outTradeNo(), EventKind.PAYMENT, n.businessKey(), remoteAddr);
            return Answer.v2Success();
        } catch (NotifyRejected e) {
            String outTradeNo = fields == null ? null : fields.get("out_trade_no");
            String businessKey = fields == null ? null : fields.get("transaction_id");
            record(Outcome.REJECTED, e.reason(), outTradeNo, EventKind.PAYMENT, businessKey, remoteAddr);
            return Answer.v2Failure(e.reason());
        }
    }

    /**
     * A refund: there is no sign, so decrypting {@code req_info} under the merchant's key is the
     * authenticity check; then the app and sub-merchant as for a payment. A refund that closed or
     * went abnormal is acknowledged and logged as {@link Outcome#IGNORED}, with no other effect.
     */
    private Answer handleRefund(Merchants.Merchant merchant, Map<String, String> outer, String remoteAddr) {
        Map<String, String> plain = null;
        try {
            ApiV2RefundCipher cipher = merchant.v2RefundCipher()
                    .orElseThrow(() -> new NotifyRejected(Reason.MERCHANT_MISMATCH));
            plain = ApiV2RefundNotify.decrypt(cipher, outer);
            checkIds(merchant.config(), outer);
            Optional<Notification> n = ApiV2RefundNotify.toNotification(outer, plain);
            Outcome outcome = n.isPresent() ? processor.process(n.get()) : Outcome.IGNORED;
            if (outcome == Outcome.IGNORED) {
                LOG.info("wxpay refund notify ignored: refund_status={} refund={}",
                        Logs.safe(plain.get("refund_status")), Logs.safe(plain.get("refund_id")));
            }
            record(outcome, null, plain.get("out_trade_no"), EventKind.REFUND, plain.get("refund_id"), remoteAddr);
            return Answer.v2Success();
        } catch (NotifyRejected e) {
            String outTradeNo = plain == null ? null : plain.get("out_trade_no");
            String refundId = plain == null ? null : plain.get("refund_id");
            record(Outcome.REJECTED, e.reason(), outTradeNo, EventKind.REFUND, refundId, remoteAddr);
            return Answer.v2Failure(e.reason());
        }
    }

    /** The app, and in partner mode the sub-merchant, must be configured for the merchant. */
    private static void checkIds(MerchantConfig merchant, Map<String, String> fields) {
        if (!merchant.appIds().contains(fields.get("appid"))) {
            throw new NotifyRejected(Reason.APP_MISMATCH);
        }
        String sub = fields.get("sub_mch_id");
        boolean hasSub = sub != null && !sub.isEmpty();
        if (merchant.isPartner() ? !hasSub || !merchant.subMchIds().contains(sub) : hasSub) {
            throw new NotifyRejected(Reason.MERCHANT_MISMATCH);
        }
    }

    /** Rejects before the body is read (switched off, wrong method, too large...): log only. */
    Answer refuse(Reason reason, String remoteAddr) {
        LOG.info("wxpay notify api=v2 outcome=REJECTED reason={} from={}", reason, remoteAddr);
        metrics.counted(Outcome.REJECTED, reason);
        return Answer.v2Failure(reason);
    }

    private void record(Outcome outcome, Reason reason, String outTradeNo, EventKind kind,
            String businessKey, String remoteAddr) {
        String safeOrder = Logs.safe(outTradeNo);
        String safeKey = Logs.safe(businessKey);
        String keyName = kind == EventKind.REFUND ? "refund" : "transaction";
        metrics.counted(outcome, reason);
        if (outcome == Outcome.REJECTED && reason.retryable()) {
            LOG.warn("wxpay notify api=v2 outcome={} reason={} order={} {}={} from={}",
                    outcome, reason, safeOrder, keyName, safeKey, remoteAddr);
        } else {
            LOG.info("wxpay notify api=v2 outcome={} reason={} order={} {}={} from={}",
                    outcome, reason, safeOrder, keyName, safeKey, remoteAddr);
        }
        if (reason != Reason.DATABASE_UNAVAILABLE) {
            notifyLog.append("v2", outcome, reason, safeOrder, safeKey, remoteAddr);
        }
    }
}
