package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.shopplug.wxpay.ApiV2Signer.SignType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiV2SignerTest {

    // The official worked example (wechatpay-protocol.md, section 1).
    private static final String EXAMPLE_KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String EXAMPLE_MD5 = "9A0A8659F005D6984697E2CA0A9CF3B7";
    private static final String EXAMPLE_HMAC = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";

    private final ApiV2Signer signer = new ApiV2Signer(EXAMPLE_KEY, SignType.MD5);

    /** The example fields, deliberately not in sorted order. */
    private static Map<String, String> example() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("nonce_str", "ibuaiVcKdpRxkhJA");
        f.put("mch_id", "10000100");
        f.put("body", "test");
        f.put("appid", "wxd930ea5d5a258f4f");
        f.put("device_info", "1000");
        return f;
    }

    private static Map<String, String> with(Map<String, String> f, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.put(name, value);
        return copy;
    }

    private Reason rejection(Map<String, String> f) {
        return assertThrows(NotifyRejected.class, () -> signer.verify(f)).reason();
    }

    @Test
    void officialExampleMd5() {
        assertEquals(EXAMPLE_MD5, signer.sign(example(), SignType.MD5));
    }

    @Test
    void officialExampleHmacSha256() {
        assertEquals(EXAMPLE_HMAC, signer.sign(example(), SignType.HMAC_SHA256));
    }

    @Test
    void signWithoutTypeUsesTheConfiguredOne() {
        assertEquals(EXAMPLE_MD5, signer.sign(example()));
        assertEquals(EXAMPLE_HMAC, new ApiV2Signer(EXAMPLE_KEY, SignType.HMAC_SHA256).sign(example()));
    }

    @Test
    void theKeyMatters() {
        ApiV2Signer other = new ApiV2Signer("8934e7d15453e97507ef794cf7b0519d", SignType.MD5);
        assertNotEquals(EXAMPLE_MD5, other.sign(example(), SignType.MD5));
        assertNotEquals(EXAMPLE_HMAC, other.sign(example(), SignType.HMAC_SHA256));
    }

    @Test
    void verifiesBothOfficialSigns() {
        assertDoesNotThrow(() -> signer.verify(with(example(), "sign", EXAMPLE_MD5)));
        assertDoesNotThrow(() -> signer.verify(with(example(), "sign", EXAMPLE_HMAC)));
    }

    @Test
    void acceptsALowerCaseSign() {
        assertDoesNotThrow(() -> signer.verify(with(example(), "sign", EXAMPLE_MD5.toLowerCase(Locale.ROOT))));
        assertDoesNotThrow(() -> signer.verify(with(example(), "sign", EXAMPLE_HMAC.toLowerCase(Locale.ROOT))));
    }

    @Test
    void emptyFieldsAndTheSignItselfAreNotSigned() {
        Map<String, String> f = with(example(), "attach", "");
        f.put("sign", "anything");
        assertEquals(EXAMPLE_MD5, signer.sign(f, SignType.MD5));
        assertDoesNotThrow(() -> signer.verify(with(with(example(), "attach", ""), "sign", EXAMPLE_MD5)));
    }

    @Test
    void everyFieldIsSignedIncludingUnknownOnes() {
        Map<String, String> withFuture = with(example(), "zz_future_field", "x");
        String sign = signer.sign(withFuture, SignType.MD5);
        assertNotEquals(EXAMPLE_MD5, sign);
        assertDoesNotThrow(() -> signer.verify(with(withFuture, "sign", sign)));
        // Changing, dropping or adding any one field breaks the sign.
        assertEquals(Reason.BAD_SIGN, rejection(with(with(withFuture, "zz_future_field", "y"), "sign", sign)));
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", sign)));
        assertEquals(Reason.BAD_SIGN, rejection(with(with(example(), "body", "test2"), "sign", EXAMPLE_MD5)));
        assertEquals(Reason.BAD_SIGN, rejection(with(with(example(), "attach", "a"), "sign", EXAMPLE_MD5)));
    }

    @Test
    void namesAreSortedByteWiseCaseSensitive() {
        // "B" (0x42) sorts before "a" (0x61): string to sign "B=2&a=1&key=...".
        Map<String, String> f = new LinkedHashMap<>();
        f.put("a", "1");
        f.put("B", "2");
        Map<String, String> reordered = new LinkedHashMap<>();
        reordered.put("B", "2");
        reordered.put("a", "1");
        assertEquals(signer.sign(f, SignType.MD5), signer.sign(reordered, SignType.MD5));
        // Independently computed: md5("B=2&a=1&key=192006250b4c09247ec02edce69f6a2d").
        assertEquals("81C89F48B7687A7B7DF0FAC3538709D2", signer.sign(f, SignType.MD5));
    }

    @Test
    void valuesAreSignedAsRawUtf8() {
        // Independently computed: md5("attach=支付成功&x=a b&key=192006250b4c09247ec02edce69f6a2d").
        Map<String, String> f = new LinkedHashMap<>();
        f.put("x", "a b");
        f.put("attach", "支付成功");
        assertEquals("E8D5E6168D694A003A08CD617A760ECD", signer.sign(f, SignType.MD5));
    }

    @Test
    void missingSign() {
        assertEquals(Reason.MISSING_SIGN, rejection(example()));
        assertEquals(Reason.MISSING_SIGN, rejection(with(example(), "sign", "")));
    }

    @Test
    void badSign() {
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", "0A0A8659F005D6984697E2CA0A9CF3B7")));
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", EXAMPLE_HMAC.replace('6', '7'))));
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", "WECHATPAY/SIGNTEST/xyz")));
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", EXAMPLE_MD5 + "0")));
    }

    @Test
    void aValidSignUnderAnotherKeyIsRefused() {
        ApiV2Signer other = new ApiV2Signer("8934e7d15453e97507ef794cf7b0519d", SignType.MD5);
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", other.sign(example(), SignType.MD5))));
    }

    @Test
    void signTypeFieldChoosesTheHashAndIsItselfSigned() {
        Map<String, String> hmac = with(example(), "sign_type", "HMAC-SHA256");
        String hmacSign = signer.sign(hmac, SignType.HMAC_SHA256);
        assertNotEquals(EXAMPLE_HMAC, hmacSign, "sign_type takes part in the sign");
        assertDoesNotThrow(() -> signer.verify(with(hmac, "sign", hmacSign)));

        Map<String, String> md5 = with(example(), "sign_type", "MD5");
        String md5Sign = signer.sign(md5, SignType.MD5);
        assertDoesNotThrow(() -> signer.verify(with(md5, "sign", md5Sign)));

        // A sign_type that contradicts the sign's hash does not verify.
        String md5SignOfHmacFields = signer.sign(hmac, SignType.MD5);
        assertEquals(Reason.BAD_SIGN, rejection(with(hmac, "sign", md5SignOfHmacFields)));
        String hmacSignOfMd5Fields = signer.sign(md5, SignType.HMAC_SHA256);
        assertEquals(Reason.BAD_SIGN, rejection(with(md5, "sign", hmacSignOfMd5Fields)));
    }

    @Test
    void unknownSignTypeIsABadSign() {
        Map<String, String> f = with(example(), "sign_type", "SHA1");
        String sign = signer.sign(f, SignType.MD5);
        assertEquals(Reason.BAD_SIGN, rejection(with(f, "sign", sign)));
    }

    @Test
    void withoutSignTypeTheLengthChoosesTheHash() {
        // Configured MD5, but a 64-character sign is verified as HMAC-SHA256, and vice versa.
        assertDoesNotThrow(() -> signer.verify(with(example(), "sign", EXAMPLE_HMAC)));
        ApiV2Signer hmacConfigured = new ApiV2Signer(EXAMPLE_KEY, SignType.HMAC_SHA256);
        assertDoesNotThrow(() -> hmacConfigured.verify(with(example(), "sign", EXAMPLE_MD5)));
        // Any other length fits neither.
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", EXAMPLE_MD5.substring(0, 31))));
        assertEquals(Reason.BAD_SIGN, rejection(with(example(), "sign", EXAMPLE_HMAC + "A")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5", "md5", "HMAC-SHA256", "hmac-sha256", "HMAC_SHA256", "Hmac_Sha256"})
    void parsesSignTypes(String value) {
        SignType expected = value.toUpperCase(Locale.ROOT).equals("MD5") ? SignType.MD5 : SignType.HMAC_SHA256;
        assertEquals(expected, SignType.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA1", "HMACSHA256", "8934e7d15453e97507ef794cf7b0519d"})
    void refusesOtherSignTypesWithoutEchoingThem(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SignType.parse(value));
        assertFalse(e.getMessage().contains(value));
    }

    @Test
    void refusesEmptyAndNullSignTypes() {
        assertThrows(IllegalArgumentException.class, () -> SignType.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SignType.parse(null));
    }

    @Test
    void keyNeverShows() {
        assertFalse(signer.toString().contains(EXAMPLE_KEY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ApiV2Signer("", SignType.MD5));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void rejectionsCarryNoSecret() {
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> signer.verify(with(example(), "sign", EXAMPLE_MD5.replace('9', '8'))));
        String text = String.valueOf(e.getMessage()) + e;
        assertFalse(text.contains(EXAMPLE_KEY));
        assertFalse(text.contains(EXAMPLE_MD5));
        assertFalse(text.contains("nonce_str="));
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        Thread[] threads = new Thread[8];
        String[] failures = new String[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int index = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 2_000; i++) {
                    if (!EXAMPLE_HMAC.equals(signer.sign(example(), SignType.HMAC_SHA256))
                            || !EXAMPLE_MD5.equals(signer.sign(example(), SignType.MD5))) {
                        failures[index] = "wrong sign on iteration " + i;
                        return;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (String failure : failures) {
            assertNull(failure);
        }
    }
}
