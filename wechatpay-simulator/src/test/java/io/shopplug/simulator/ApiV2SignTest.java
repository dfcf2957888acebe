package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiV2SignTest {

    /** The official worked example (protocol notes, section 1). */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";

    private static Map<String, String> officialFields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", "wxd930ea5d5a258f4f");
        f.put("mch_id", "10000100");
        f.put("device_info", "1000");
        f.put("body", "test");
        f.put("nonce_str", "ibuaiVcKdpRxkhJA");
        return f;
    }

    @Test
    void stringToSignOfTheOfficialExample() {
        assertEquals("appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100"
                + "&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d",
                ApiV2Signer.stringToSign(officialFields(), KEY));
    }

    @Test
    void md5OfTheOfficialExample() {
        assertEquals("9A0A8659F005D6984697E2CA0A9CF3B7",
                ApiV2Notifications.sign(officialFields(), KEY, Merchant.MD5));
    }

    @Test
    void hmacSha256OfTheOfficialExample() {
        assertEquals("6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6",
                ApiV2Notifications.sign(officialFields(), KEY, Merchant.HMAC_SHA256));
    }

    @Test
    void signAndEmptyFieldsDoNotTakePart() {
        Map<String, String> f = officialFields();
        f.put("sign", "WHATEVER");
        f.put("attach", "");
        assertEquals("9A0A8659F005D6984697E2CA0A9CF3B7",
                ApiV2Notifications.sign(f, KEY, Merchant.MD5));
    }

    @Test
    void everyOtherFieldTakesPart() {
        Map<String, String> f = officialFields();
        f.put("sign_type", "MD5");
        assertNotEquals("9A0A8659F005D6984697E2CA0A9CF3B7",
                ApiV2Notifications.sign(f, KEY, Merchant.MD5));
    }

    @Test
    void sortsByByteOrderCaseSensitive() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("b", "1");
        f.put("a", "2");
        f.put("B", "3");
        assertEquals("B=3&a=2&b=1&key=k", ApiV2Signer.stringToSign(f, "k"));
    }

    @Test
    void unknownSignTypeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiV2Notifications.sign(officialFields(), KEY, "SHA1"));
        assertEquals("sign type must be MD5 or HMAC-SHA256", e.getMessage());
    }
}
