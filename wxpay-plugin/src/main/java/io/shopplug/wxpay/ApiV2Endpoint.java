package io.shopplug.wxpay;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIv2 payment notification, from raw body to answer: parse (no DTDs), check the transport
 * flag, verify the sign, check the merchant and app, map, then hand over to the
 * {@link NotifyProcessor}. Every notification produces one log line and one notify-log row, with
 * no secret in either. Thread-safe.
 */
final class ApiV2Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ApiV2Endpoint.class);

    private final WxPayConfig config;
    private final ApiV2Signer signer;
    private final NotifyProcessor processor;
    private final NotifyStore store;

    ApiV2Endpoint(WxPayConfig config, ApiV2Signer signer, NotifyProcessor processor, NotifyStore store) {
        this.config = config;
        this.signer = signer;
        this.processor = processor;
        this.store = store;
    }

    Answer handle(byte[] body, String remoteAddr) {
        Map<String, String> fields = null;
        Notification n = null;
        try {
            fields = XmlFields.parse(body, "xml");
            if (!"SUCCESS".equals(fields.get("return_code"))) {
                throw new NotifyRejected(Reason.TRANSPORT_FAIL);
            }
            signer.verify(fields);
            if (!config.mchId().equals(fields.get("mch_id"))) {
                throw new NotifyRejected(Reason.MERCHANT_MISMATCH);
            }
            if (!config.appId().equals(fields.get("appid"))) {
                throw new NotifyRejected(Reason.APP_MISMATCH);
            }
            n = ApiV2PaymentNotify.toNotification(fields);
            Outcome outcome = processor.process(n);
            record(outcome, null, n.outTradeNo(), n.businessKey(), remoteAddr);
            return Answer.v2Success();
        } catch (NotifyRejected e) {
            String outTradeNo = fields == null ? null : fields.get("out_trade_no");
            String businessKey = fields == null ? null : fields.get("transaction_id");
            record(Outcome.REJECTED, e.reason(), outTradeNo, businessKey, remoteAddr);
            return Answer.v2Failure(e.reason());
        }
    }

    /** Rejects before the body is read (switched off, wrong method, too large...): log only. */
    Answer refuse(Reason reason, String remoteAddr) {
        LOG.info("wxpay notify api=v2 outcome=REJECTED reason={} from={}", reason, remoteAddr);
        return Answer.v2Failure(reason);
    }

    private void record(Outcome outcome, Reason reason, String outTradeNo, String businessKey, String remoteAddr) {
        String safeOrder = Logs.safe(outTradeNo);
        String safeKey = Logs.safe(businessKey);
        if (outcome == Outcome.REJECTED && reason.retryable()) {
            LOG.warn("wxpay notify api=v2 outcome={} reason={} order={} transaction={} from={}",
                    outcome, reason, safeOrder, safeKey, remoteAddr);
        } else {
            LOG.info("wxpay notify api=v2 outcome={} reason={} order={} transaction={} from={}",
                    outcome, reason, safeOrder, safeKey, remoteAddr);
        }
        if (reason != Reason.DATABASE_UNAVAILABLE) {
            store.logNotify("v2", outcome.name(), reason, safeOrder, safeKey, remoteAddr);
        }
    }
}
