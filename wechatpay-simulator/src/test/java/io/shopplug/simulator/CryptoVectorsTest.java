package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/** The published vectors of the protocol notes (sections 2, 3, 4), against the simulator's crypto. */
class CryptoVectorsTest {

    private static final String V3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    private static final String NONCE = "uluk4a9R25RW";
    private static final String AAD = "associatedData";

    @Test
    void aesGcmVector() throws GeneralSecurityException {
        byte[] ct = Base64.getDecoder().decode("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=");
        assertEquals("message", new String(V3Crypto.decrypt(V3Crypto.AEAD_AES_256_GCM, V3_KEY,
                NONCE, AAD, ct), StandardCharsets.UTF_8));
        assertArrayEquals(ct, V3Crypto.encrypt(V3Crypto.AEAD_AES_256_GCM, V3_KEY, NONCE, AAD,
                "message".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sm3OfTheKeyAndTheSm4Key() {
        assertEquals("fa2028801e86d45f5638cadafb5db2e976c9046f49f9938abd2dedf4f60e08ae",
                HexFormat.of().formatHex(V3Crypto.sm3(V3_KEY.getBytes(StandardCharsets.UTF_8))));
        assertEquals("fa2028801e86d45f5638cadafb5db2e9",
                HexFormat.of().formatHex(V3Crypto.sm4Key(V3_KEY)));
    }

    @Test
    void sm4GcmVector() throws GeneralSecurityException {
        byte[] ct = Base64.getDecoder().decode("+lcLNfkZQQx+iQm20Apa3x9Mb/5L7PgZ7w==");
        assertEquals("plaintext", new String(V3Crypto.decrypt(V3Crypto.AEAD_SM4_GCM, V3_KEY,
                NONCE, AAD, ct), StandardCharsets.UTF_8));
        assertArrayEquals(ct, V3Crypto.encrypt(V3Crypto.AEAD_SM4_GCM, V3_KEY, NONCE, AAD,
                "plaintext".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aGcmTagFailureIsAnException() {
        byte[] ct = Base64.getDecoder().decode("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=");
        ct[0] ^= 1;
        assertThrows(GeneralSecurityException.class,
                () -> V3Crypto.decrypt(V3Crypto.AEAD_AES_256_GCM, V3_KEY, NONCE, AAD, ct));
        assertThrows(GeneralSecurityException.class, () -> V3Crypto.decrypt(
                V3Crypto.AEAD_AES_256_GCM, V3_KEY, NONCE, "other", Base64.getDecoder()
                        .decode("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=")));
    }

    @Test
    void aesEcbVectorOfTheRefundNotice() throws GeneralSecurityException {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertEquals("pZwJZBLuy3mDACEQT4YTBw==", Base64.getEncoder().encodeToString(
                V3Crypto.aesEcb(Cipher.ENCRYPT_MODE, key, "hello".getBytes(StandardCharsets.UTF_8))));
        assertEquals("hello", new String(V3Crypto.aesEcb(Cipher.DECRYPT_MODE, key,
                Base64.getDecoder().decode("pZwJZBLuy3mDACEQT4YTBw==")), StandardCharsets.UTF_8));
    }

    @Test
    void refundKeyIsTheLowercaseHexMd5OfTheApiV2Key() {
        // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72: 32 ASCII characters, lowercase.
        assertEquals("900150983cd24fb0d6963f7d28e17f72",
                new String(V3Crypto.refundKey("abc"), StandardCharsets.US_ASCII));
        // A digest with a leading zero byte keeps its zeros: MD5("jk8ssl") = 0000000018e6...
        assertEquals(32, V3Crypto.refundKey("jk8ssl").length);
        assertEquals("0000000018e6137ac2caab16074784a6",
                new String(V3Crypto.refundKey("jk8ssl"), StandardCharsets.US_ASCII));
    }

    @Test
    void signedMessageIsTimestampNonceBodyEachFollowedByANewline() {
        assertEquals("1700000000\nabc\n{\"summary\":\"支付成功\"}\n", new String(
                V3Crypto.notifyMessage("1700000000", "abc",
                        "{\"summary\":\"支付成功\"}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
    }
}
