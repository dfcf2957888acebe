package io.shopplug.wxpay;

import com.github.binarywang.wxpay.bean.notify.WxPayOrderNotifyResult;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.exception.WxPayException;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceImpl;
import com.ijpay.core.enums.SignType;
import com.ijpay.core.kit.WxPayKit;
import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One APIv2 payment notification (XML, MD5 sign) parsed, verified and mapped by each contender.
 * Keys, signers and services are built in {@code @Setup}; each benchmark method starts from the
 * raw body bytes. Each contender's state is its own {@code @State}, so a fork initialises only the
 * library it measures; every setup checks once that its contender accepts the notification.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ApiV2Benchmark {

    static final String APP_ID = "wxd678efh567hg6787";
    static final String MCH_ID = "1230000109";
    static final String API_V2_KEY = "8934e7d15453e97507ef794cf7b0519d";
    static final String OUT_TRADE_NO = "SO-20261124-0002";
    static final long TOTAL_FEN = 8888;

    /** The simulator's MD5-signed payment notice (no {@code sign_type} field, as WeChat sends it). */
    @State(Scope.Benchmark)
    public static class Notice {
        NotifyMessage message;
        byte[] body;

        @Setup
        public void build() {
            Clock clock = Clock.fixed(Instant.now().truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
            Merchant merchant = Merchant.of(APP_ID, MCH_ID, API_V2_KEY, Merchant.MD5);
            message = new ApiV2Notifications(merchant, clock).paid(OUT_TRADE_NO, TOTAL_FEN);
            body = message.body();
        }
    }

    /** The plugin's signer as {@code Merchants} builds it at start. */
    @State(Scope.Benchmark)
    public static class Plugin {
        ApiV2Signer signer;

        @Setup
        public void build(Notice n) {
            signer = new ApiV2Signer(API_V2_KEY, ApiV2Signer.SignType.MD5);
            Notification out = pluginOnce(n, this);
            ApiV3Benchmark.check(OUT_TRADE_NO.equals(out.outTradeNo()) && out.amountFen() == TOTAL_FEN, "plugin");
        }
    }

    /** WxJava (weixin-java-pay) with the merchant's ids, APIv2 key and sign type configured. */
    @State(Scope.Benchmark)
    public static class WxJava {
        WxPayService service;

        @Setup
        public void build(Notice n) throws WxPayException {
            WxPayConfig config = new WxPayConfig();
            config.setAppId(APP_ID);
            config.setMchId(MCH_ID);
            config.setMchKey(API_V2_KEY);
            config.setSignType(Merchant.MD5);
            service = new WxPayServiceImpl();
            service.setConfig(config);
            WxPayOrderNotifyResult r = wxJavaOnce(n, this);
            ApiV3Benchmark.check(OUT_TRADE_NO.equals(r.getOutTradeNo()) && r.getTotalFee() == TOTAL_FEN, "WxJava");
        }
    }

    /** IJPay has no configuration object for this: static helpers, the key passed per call. */
    @State(Scope.Benchmark)
    public static class IJPay {
        @Setup
        public void build(Notice n) {
            Map<String, String> m = ijPayOnce(n);
            ApiV3Benchmark.check(OUT_TRADE_NO.equals(m.get("out_trade_no")), "IJPay");
        }
    }

    /** The plugin: {@code XmlFields.parse} (hardened StAX), {@code ApiV2Signer.verify}, mapping. */
    @Benchmark
    public Object plugin(Notice n, Plugin p) {
        return pluginOnce(n, p);
    }

    static Notification pluginOnce(Notice n, Plugin p) {
        Map<String, String> fields = XmlFields.parse(n.body);
        p.signer.verify(fields);
        return ApiV2PaymentNotify.toNotification(fields);
    }

    /** WxJava {@code parseOrderNotifyResult(xml)}: parse, verify, map to its result bean. */
    @Benchmark
    public WxPayOrderNotifyResult wxJava(Notice n, WxJava w) throws WxPayException {
        return wxJavaOnce(n, w);
    }

    static WxPayOrderNotifyResult wxJavaOnce(Notice n, WxJava w) throws WxPayException {
        return w.service.parseOrderNotifyResult(new String(n.body, StandardCharsets.UTF_8));
    }

    /** IJPay {@code WxPayKit.xmlToMap} then {@code WxPayKit.verifyNotify(map, key, MD5)}: no mapping. */
    @Benchmark
    public Map<String, String> ijPay(Notice n, IJPay i) {
        return ijPayOnce(n);
    }

    static Map<String, String> ijPayOnce(Notice n) {
        Map<String, String> fields = WxPayKit.xmlToMap(new String(n.body, StandardCharsets.UTF_8));
        if (!WxPayKit.verifyNotify(fields, API_V2_KEY, SignType.MD5)) {
            throw new IllegalStateException("IJPay rejected the notification");
        }
        return fields;
    }
}
