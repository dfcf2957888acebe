package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiV3NotifyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    private static final String SP_OPENID = "oUpF8uN95-Ptaags6E_roPHg7AG0";

    static String fixture(String name) {
        try (InputStream in = ApiV3NotifyTest.class.getResourceAsStream("notify/v3/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The fixture with the member at {@code path} ("amount.total") set to {@code value}, or removed if null. */
    private static byte[] with(String name, String path, Object value) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(fixture(name));
        String[] parts = path.split("\\.");
        ObjectNode holder = root;
        for (int i = 0; i < parts.length - 1; i++) {
            holder = (ObjectNode) holder.get(parts[i]);
        }
        String last = parts[parts.length - 1];
        if (value == null) {
            holder.remove(last);
        } else {
            holder.set(last, JSON.valueToTree(value));
        }
        return JSON.writeValueAsBytes(root);
    }

    private static List<Notification> map(String eventType, String fixture) {
        return ApiV3Notify.toNotifications(eventType, utf8(fixture(fixture)));
    }

    private static Reason mappingRejection(String eventType, byte[] plaintext) {
        return assertThrows(NotifyRejected.class, () -> ApiV3Notify.toNotifications(eventType, plaintext)).reason();
    }

    private static Reason envelopeRejection(byte[] body) {
        return assertThrows(NotifyRejected.class, () -> ApiV3Notify.parseEnvelope(body)).reason();
    }

    // ---- the envelope ------------------------------------------------------------------------

    @Test
    void parsesTheEnvelope() {
        byte[] body = utf8("{\"id\":\"EV-2018022511223320873\",\"create_time\":\"2015-05-20T13:29:35+08:00\","
                + "\"resource_type\":\"encrypt-resource\",\"event_type\":\"TRANSACTION.SUCCESS\",\"summary\":\"支付成功\","
                + "\"resource\":{\"original_type\":\"transaction\",\"algorithm\":\"AEAD_AES_256_GCM\","
                + "\"ciphertext\":\"ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=\",\"associated_data\":\"associatedData\","
                + "\"nonce\":\"uluk4a9R25RW\"}}");
        ApiV3Notify.Envelope e = ApiV3Notify.parseEnvelope(body);
        assertEquals("EV-2018022511223320873", e.id());
        assertEquals("2015-05-20T13:29:35+08:00", e.createTime());
        assertEquals("encrypt-resource", e.resourceType());
        assertEquals("TRANSACTION.SUCCESS", e.eventType());
        assertEquals("支付成功", e.summary());
        assertEquals("transaction", e.originalType());
        assertEquals("AEAD_AES_256_GCM", e.algorithm());
        assertEquals("uluk4a9R25RW", e.nonce());
        assertEquals("associatedData", e.associatedData());
        assertEquals("message", new String(e.decrypt(new ResourceCipher("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")),
                StandardCharsets.UTF_8), "the official vector through the envelope");
    }

    @Test
    void optionalEnvelopeMembersMayBeAbsent() {
        ApiV3Notify.Envelope e = ApiV3Notify.parseEnvelope(utf8("{\"id\":\"1\",\"event_type\":\"X\","
                + "\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\",\"associated_data\":null}}"));
        assertNull(e.createTime());
        assertNull(e.summary());
        assertNull(e.associatedData());
        assertNull(e.originalType());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "[]", "\"text\"", "{", "{\"id\":\"1\"} {}", "<xml/>",
            "{\"id\":\"1\",\"id\":\"2\",\"event_type\":\"X\",\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}",
            "{\"id\":\"1\",\"event_type\":\"X\",\"resource\":{\"algorithm\":\"A\",\"algorithm\":\"B\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}",
            "{\"id\":\"1\",\"event_type\":\"X\",\"x\":{\"a\":[{\"b\":1,\"b\":2}]},\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}",
            "{\"id\":\"1\",\"event_type\":\"X\",\"x\":[1,2,],\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}",
            "{\"id\":\"1\",\"event_type\":\"X\",\"x\":\"\\q\",\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}",
            "{\"id\":\"1\",\"event_type\":\"X\",\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}x",
            "{\"id\":\"1\",\"event_type\":\"X\",\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}"})
    void aBodyThatIsNotOneJsonObjectIsMalformed(String body) {
        assertEquals(Reason.MALFORMED, envelopeRejection(utf8(body)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "event_type", "resource", "resource.algorithm", "resource.ciphertext",
            "resource.nonce"})
    void aMissingEnvelopeMemberIsMissingField(String path) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(V3Signer.envelope("TRANSACTION.SUCCESS", "AEAD_AES_256_GCM",
                "uluk4a9R25RW", "transaction", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="));
        ObjectNode holder = path.startsWith("resource.") ? (ObjectNode) root.get("resource") : root;
        String name = path.substring(path.indexOf('.') + 1);
        holder.remove(name);
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(JSON.writeValueAsBytes(root)));
        holder.put(name, "");
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(JSON.writeValueAsBytes(root)));
        holder.put(name, 42);
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(JSON.writeValueAsBytes(root)));
    }

    @Test
    void unknownEnvelopeMembersOfAnyKindAreIgnored() {
        ApiV3Notify.Envelope e = ApiV3Notify.parseEnvelope(utf8("{\"x\":{\"resource\":1,\"id\":[]},\"id\":\"1\","
                + "\"n\":-1.5e3,\"b\":true,\"z\":null,\"a\":[{\"id\":2}],\"event_type\":\"X\",\"resource\":"
                + "{\"algorithm\":\"A\",\"more\":{\"nonce\":5},\"ciphertext\":\"c\",\"nonce\":\"n\"}}"));
        assertEquals("1", e.id());
        assertEquals("X", e.eventType());
        assertEquals("A", e.algorithm());
        assertEquals("c", e.ciphertext());
        assertEquals("n", e.nonce());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"resource\"", "7", "true"})
    void aResourceThatIsNotAnObjectIsMissingField(String resource) {
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(utf8("{\"id\":\"1\",\"event_type\":\"X\",\"resource\":"
                + resource + "}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[\"1\"]", "true", "null"})
    void aRequiredEnvelopeMemberThatIsNotAStringIsMissingField(String id) {
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(utf8("{\"id\":" + id + ",\"event_type\":\"X\","
                + "\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\",\"nonce\":\"n\"}}")));
        assertEquals(Reason.MISSING_FIELD, envelopeRejection(utf8("{\"id\":\"1\",\"summary\":" + id
                .replace("null", "1") + ",\"event_type\":\"X\",\"resource\":{\"algorithm\":\"A\",\"ciphertext\":\"c\","
                + "\"nonce\":\"n\"}}")), "an optional member that is present must be a string or null");
    }

    // ---- payments ----------------------------------------------------------------------------

    @Test
    void mapsAPayment() {
        List<Notification> all = map("TRANSACTION.SUCCESS", "transaction.json");
        assertEquals(1, all.size());
        Notification n = all.get(0);
        assertEquals(EventKind.PAYMENT, n.kind());
        assertEquals("4200000001202611240000000001", n.businessKey());
        assertEquals("4200000001202611240000000001", n.transactionId());
        assertEquals("ORDER-1001", n.outTradeNo());
        assertEquals(1999, n.amountFen());
        assertEquals(1999, n.paymentFen());
        assertEquals("CNY", n.currency());
        assertEquals("1900000109", n.merchantId());
        assertNull(n.spMerchantId());
        assertEquals("wx2421b1c4370ec43b", n.appId());
        assertEquals("v3", n.api());
        assertNull(n.outRefundNo());
    }

    @Test
    void rfc3339WithMillisecondsAndAnOffsetIsAnInstant() throws IOException {
        Notification n = map("TRANSACTION.SUCCESS", "transaction.json").get(0);
        assertEquals(Instant.parse("2026-11-24T02:30:00.123Z"), n.eventTime());
        byte[] utc = with("transaction.json", "success_time", "2026-11-24T02:30:00Z");
        assertEquals(Instant.parse("2026-11-24T02:30:00Z"),
                ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", utc).get(0).eventTime());
    }

    @Test
    void theCurrencyDefaultsToCny() throws IOException {
        byte[] noCurrency = with("transaction.json", "amount.currency", null);
        assertEquals("CNY", ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", noCurrency).get(0).currency());
        byte[] usd = with("transaction.json", "amount.currency", "USD");
        assertEquals("USD", ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", usd).get(0).currency());
    }

    @Test
    void thePayloadIsThePlaintextWithOpenidsMasked() throws IOException {
        Notification n = map("TRANSACTION.SUCCESS", "transaction.json").get(0);
        assertFalse(n.payload().contains(OPENID));
        JsonNode payload = JSON.readTree(n.payload());
        assertEquals(ApiV2PaymentNotify.mask(OPENID), payload.get("payer").get("openid").asText());
        assertEquals("支付成功", payload.get("trade_state_desc").asText());
        assertEquals(1999, payload.get("amount").get("total").asLong());
        assertEquals("013467007045764", payload.get("scene_info").get("device_id").asText());
    }

    /**
     * The payload is the plaintext as a Jackson tree writes it back (compact, numbers and escapes
     * normalised), with exactly the four openid members masked and nothing else changed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction.json", "transaction-partner.json", "transaction-combine.json",
        "refund.json", "refund-partner.json", "odd"})
    void thePayloadIsThePlaintextWrittenBackWithOnlyTheOpenidsMasked(String name) throws IOException {
        String plaintext = name.equals("odd")
                ? fixture("transaction.json").replace("\"scene_info\"", "\"odd\":{\"f\":1.10,\"e\":-2.5E-3,"
                        + "\"big\":123456789012345678901234567890,\"s\":\"\\u00e9\\/\\\"\\n\\ud83d\\ude00\",\"n\":null,"
                        + "\"a\":[1e2,-0.0,true,{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"}]},"
                        + "\"combine_payer_info\":{\"openid\":7},\"scene_info\"")
                : fixture(name);
        ObjectNode expected = (ObjectNode) JSON.readTree(plaintext);
        for (String[] path : new String[][] {{"payer", "openid"}, {"payer", "sp_openid"}, {"payer", "sub_openid"},
            {"combine_payer_info", "openid"}}) {
            JsonNode holder = expected.get(path[0]);
            if (holder != null && holder.has(path[1]) && holder.get(path[1]).isTextual()) {
                ((ObjectNode) holder).put(path[1], ApiV2PaymentNotify.mask(holder.get(path[1]).textValue()));
            }
        }
        String event = name.startsWith("refund") ? "REFUND.SUCCESS" : "TRANSACTION.SUCCESS";
        List<Notification> all = ApiV3Notify.toNotifications(event, utf8(plaintext));
        assertFalse(all.isEmpty());
        for (Notification n : all) {
            assertEquals(JSON.writeValueAsString(expected), n.payload());
        }
    }

    @Test
    void mapsAPartnerPayment() throws IOException {
        Notification n = map("TRANSACTION.SUCCESS", "transaction-partner.json").get(0);
        assertEquals("1900000109", n.merchantId());
        assertEquals("1230000109", n.spMerchantId());
        assertEquals("wxd678efh567hg6999", n.appId());
        assertEquals(100, n.amountFen());
        assertEquals(Instant.parse("2026-11-24T02:31:05Z"), n.eventTime());
        assertFalse(n.payload().contains(OPENID));
        assertFalse(n.payload().contains(SP_OPENID));
        assertTrue(n.payload().contains("自定义数据"));

        byte[] noSubApp = with("transaction-partner.json", "sub_appid", null);
        assertEquals("wx8888888888888888", ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", noSubApp).get(0).appId());
        byte[] noSubMch = with("transaction-partner.json", "sub_mchid", null);
        assertEquals(Reason.MISSING_FIELD, mappingRejection("TRANSACTION.SUCCESS", noSubMch));
    }

    @Test
    void aCombinePaymentIsOnePaymentPerSubOrder() {
        List<Notification> all = map("TRANSACTION.SUCCESS", "transaction-combine.json");
        assertEquals(3, all.size());
        for (int i = 0; i < 3; i++) {
            Notification n = all.get(i);
            assertEquals(EventKind.PAYMENT, n.kind());
            assertEquals("420000000320261124000000003" + (i + 1), n.transactionId());
            assertEquals("SUB-3001-" + (i + 1), n.outTradeNo());
            assertEquals(10 * (i + 1), n.amountFen());
            assertEquals("wxd678efh567hg6787", n.appId());
            assertNull(n.spMerchantId());
            assertFalse(n.payload().contains(OPENID));
        }
        assertEquals("1900000109", all.get(0).merchantId());
        assertEquals("1900000110", all.get(1).merchantId());
        assertEquals("1900000111", all.get(2).merchantId());
        assertEquals(Instant.parse("2026-11-24T02:32:02.500Z"), all.get(2).eventTime());
    }

    @Test
    void aPartnerCombineSubOrderNamesItsSubMerchant() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(fixture("transaction-combine.json"));
        ObjectNode first = (ObjectNode) root.get("sub_orders").get(0);
        first.put("sub_mchid", "1900000200");
        first.put("sub_appid", "wxsubapp000000001");
        List<Notification> all = ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", JSON.writeValueAsBytes(root));
        assertEquals("1900000200", all.get(0).merchantId());
        assertEquals("1900000109", all.get(0).spMerchantId());
        assertEquals("wxsubapp000000001", all.get(0).appId());
        assertEquals("1900000110", all.get(1).merchantId());
    }

    @Test
    void aSubOrderThatDidNotSucceedIsLeftOut() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(fixture("transaction-combine.json"));
        ((ObjectNode) root.get("sub_orders").get(1)).put("trade_state", "PAYERROR");
        assertEquals(2, ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", JSON.writeValueAsBytes(root)).size());
        root.set("sub_orders", JSON.createArrayNode());
        assertEquals(Reason.MISSING_FIELD,
                mappingRejection("TRANSACTION.SUCCESS", JSON.writeValueAsBytes(root)));
    }

    @Test
    void aTransactionNoticeThatIsNotSuccessIsIgnored() throws IOException {
        assertEquals(Collections.emptyList(),
                ApiV3Notify.toNotifications("TRANSACTION.SUCCESS", with("transaction.json", "trade_state", "NOTPAY")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction_id", "out_trade_no", "mchid", "appid", "trade_state", "success_time",
            "amount", "amount.total"})
    void aMissingPaymentFieldIsMissingField(String path) throws IOException {
        assertEquals(Reason.MISSING_FIELD, mappingRejection("TRANSACTION.SUCCESS", with("transaction.json", path, null)));
        assertEquals(Reason.MISSING_FIELD, mappingRejection("TRANSACTION.SUCCESS", with("transaction.json", path, "")));
    }

    @Test
    void anInvalidAmountOrTimeIsMissingField() throws IOException {
        for (Object total : new Object[] {19.99, "1999", -1, 1e30, true}) {
            assertEquals(Reason.MISSING_FIELD,
                    mappingRejection("TRANSACTION.SUCCESS", with("transaction.json", "amount.total", total)), "" + total);
        }
        for (String time : new String[] {"2026-11-24 10:30:00", "2026-11-24T10:30:00", "20261124103000",
                "2026-13-24T10:30:00+08:00"}) {
            assertEquals(Reason.MISSING_FIELD,
                    mappingRejection("TRANSACTION.SUCCESS", with("transaction.json", "success_time", time)), time);
        }
        assertEquals(Reason.MISSING_FIELD,
                mappingRejection("TRANSACTION.SUCCESS", with("transaction.json", "transaction_id", 4200000001L)));
    }

    @Test
    void successTimeIsReadExactlyAsTheJdkReadsIt() {
        String[] seeds = {"2018-06-08T10:34:56+08:00", "2026-11-24T10:30:00.123+08:00", "2026-11-24T02:30:00Z",
            "2024-02-29T23:59:59.999999999-18:00", "0000-01-01T00:00:00.5+18:00", "1999-12-31T00:00:00-00:30"};
        List<String> texts = new ArrayList<>(Arrays.asList(seeds));
        texts.addAll(Arrays.asList("2026-11-24T02:30:00z", "2026-11-24t02:30:00Z", "2026-11-24T02:30Z",
                "2026-11-24T02:30:00.Z", "2026-11-24T02:30:00.1234567890Z", "2023-02-29T00:00:00+00:00",
                "2100-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-24T24:00:00Z",
                "2026-11-24T23:60:00Z", "2026-11-24T23:59:60Z", "2026-11-24T10:30:00+18:00",
                "2026-11-24T10:30:00+18:01", "2026-11-24T10:30:00-18:00", "2026-11-24T10:30:00+19:00",
                "2026-11-24T10:30:00+08:60", "2026-11-24T10:30:00-00:00", "2026-11-24T10:30:00+08:00:00",
                "2026-11-24T10:30:00+0800", "2026-11-24T10:30:00+08", "+2026-11-24T10:30:00Z",
                "-2026-11-24T10:30:00Z", "+12026-11-24T10:30:00Z", "2026-11-24T10:30:00+08:00 ",
                " 2026-11-24T10:30:00+08:00", "2026-00-24T10:30:00Z", "2026-11-00T10:30:00Z",
                "２０２６-11-24T10:30:00Z", "2026-11-24T10:30:00.١Z", ""));
        Random random = new Random(20261124);
        String alphabet = "0123456789012345678901234567890123456789-+:.TZtz ";
        for (int i = 0; i < 40_000; i++) {
            StringBuilder t = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                int at = random.nextInt(t.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(4)) {
                    case 0: t.insert(at, c); break;
                    case 1: t.deleteCharAt(at); break;
                    default: t.setCharAt(at, c);
                }
            }
            texts.add(t.toString());
        }
        int readByHand = 0;
        for (String text : texts) {
            Object jdk;
            try {
                jdk = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                jdk = "refused";
            }
            Object ours;
            try {
                ours = ApiV3Notify.instant(text);
            } catch (DateTimeException e) {
                ours = "refused";
            }
            assertEquals(jdk, ours, text);
            Instant byHand = ApiV3Notify.usualInstant(text);
            if (byHand != null) {
                readByHand++;
                assertEquals(jdk, byHand, text);
            }
        }
        assertTrue(readByHand > 5_000, "the usual form is read by hand: " + readByHand);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"a\":1,\"a\":2}"})
    void aPlaintextThatIsNotOneJsonObjectIsMalformed(String plaintext) {
        assertEquals(Reason.MALFORMED, mappingRejection("TRANSACTION.SUCCESS", utf8(plaintext)));
        assertEquals(Reason.MALFORMED, mappingRejection("REFUND.SUCCESS", utf8(plaintext)));
    }

    // ---- refunds -----------------------------------------------------------------------------

    @Test
    void mapsARefund() {
        List<Notification> all = map("REFUND.SUCCESS", "refund.json");
        assertEquals(1, all.size());
        Notification n = all.get(0);
        assertEquals(EventKind.REFUND, n.kind());
        assertEquals("50000000382019052709732678859", n.businessKey());
        assertEquals("REFUND-1001-1", n.outRefundNo());
        assertEquals("4200000001202611240000000001", n.transactionId());
        assertEquals("ORDER-1001", n.outTradeNo());
        assertEquals(500, n.amountFen());
        assertEquals(1999, n.paymentFen());
        assertEquals("CNY", n.currency());
        assertEquals("1900000109", n.merchantId());
        assertNull(n.spMerchantId());
        assertEquals("", n.appId(), "refunds carry no app id");
        assertEquals(Instant.parse("2026-11-25T01:00:00Z"), n.eventTime());
        assertEquals("v3", n.api());
        assertTrue(n.payload().contains("招商银行信用卡0403"));
    }

    @Test
    void mapsAPartnerRefund() {
        Notification n = map("REFUND.SUCCESS", "refund-partner.json").get(0);
        assertEquals("1900000109", n.merchantId());
        assertEquals("1230000109", n.spMerchantId());
        assertEquals(100, n.amountFen());
    }

    @ParameterizedTest
    @ValueSource(strings = {"refund_id", "out_refund_no", "transaction_id", "out_trade_no", "mchid", "refund_status",
            "success_time", "amount", "amount.refund", "amount.total"})
    void aMissingRefundFieldIsMissingField(String path) throws IOException {
        assertEquals(Reason.MISSING_FIELD, mappingRejection("REFUND.SUCCESS", with("refund.json", path, null)));
    }

    @Test
    void refundsThatClosedOrWentAbnormalAndUnknownEventsAreIgnored() throws IOException {
        assertEquals(Collections.emptyList(), map("REFUND.CLOSED", "refund-closed.json"));
        assertEquals(Collections.emptyList(), map("REFUND.ABNORMAL", "refund.json"));
        assertEquals(Collections.emptyList(), map("REFUND.SUCCESS", "refund-closed.json"));
        assertEquals(Collections.emptyList(),
                ApiV3Notify.toNotifications("REFUND.SUCCESS", with("refund.json", "refund_status", "ABNORMAL")));
        for (String eventType : new String[] {"SECURITY_ECHO.SUCCESS", "TRANSACTION.FAIL", "transaction.success", "", null}) {
            assertEquals(Collections.emptyList(), ApiV3Notify.toNotifications(eventType, utf8("not even json")),
                    "" + eventType);
        }
    }

    // ---- the whole core, as the endpoint will use it -----------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "SM2"})
    void aSignedEncryptedNotificationGoesThroughTheWholeCore(String algorithm) {
        Instant now = Instant.parse("2026-11-24T02:30:05Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        KeyPair keys = "RSA".equals(algorithm) ? V3Signer.rsaKeyPair() : V3Signer.sm2KeyPair();
        X509Certificate cert = V3Signer.certificate(keys, V3Signer.randomSerial(), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
        V3Signer wechat = new V3Signer(keys, V3Signer.serialOf(cert), V3Signer.API_V3_KEY, clock);
        ApiV3Verifier verifier = new ApiV3Verifier(
                PlatformKeys.builder(clock).certificates(() -> Collections.singletonList(cert)).build(), clock);
        ResourceCipher cipher = new ResourceCipher(V3Signer.API_V3_KEY);
        ReplayGuard guard = new ReplayGuard();

        V3Signer.Signed n = wechat.notify("TRANSACTION.SUCCESS", fixture("transaction.json"));
        verifier.verify(n.headers(), n.body());
        ReplayGuard.Ticket ticket = guard.begin(ReplayGuard.key("1900000109", n.headers(), n.body()));
        assertEquals(ReplayGuard.State.NEW, ticket.state());
        ApiV3Notify.Envelope envelope = ApiV3Notify.parseEnvelope(n.body());
        assertEquals("SM2".equals(algorithm) ? "AEAD_SM4_GCM" : "AEAD_AES_256_GCM", envelope.algorithm());
        List<Notification> payments = ApiV3Notify.toNotifications(envelope.eventType(), envelope.decrypt(cipher));
        ticket.committed();

        assertEquals(1, payments.size());
        assertEquals("ORDER-1001", payments.get(0).outTradeNo());
        assertEquals(ReplayGuard.State.DONE, guard.begin(ReplayGuard.key("1900000109", n.headers(), n.body())).state());

        ApiV3Notify.Envelope wrongKey = ApiV3Notify.parseEnvelope(n.body());
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> wrongKey.decrypt(new ResourceCipher("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")));
        assertEquals(Reason.DECRYPT_FAILED, e.reason());
    }
}
