package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceCipherTest {
    /** The official Java SDK's test vectors (protocol doc, sections 3 and 4). */
    private static final String KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    private static final String NONCE = "uluk4a9R25RW";
    private static final String AAD = "associatedData";
    private static final String AES_CIPHERTEXT = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";
    private static final String SM4_CIPHERTEXT = "+lcLNfkZQQx+iQm20Apa3x9Mb/5L7PgZ7w==";

    private final ResourceCipher cipher = new ResourceCipher(KEY);

    private static Reason rejection(ResourceCipher c, String algorithm, String nonce, String aad, String ciphertext) {
        return assertThrows(NotifyRejected.class, () -> c.decrypt(algorithm, nonce, aad, ciphertext)).reason();
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    @Test
    void officialAesGcmVector() {
        assertEquals("message", utf8(cipher.decrypt("AEAD_AES_256_GCM", NONCE, AAD, AES_CIPHERTEXT)));
    }

    @Test
    void officialSm3AndSm4KeyVector() throws Exception {
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        assertEquals("fa2028801e86d45f5638cadafb5db2e976c9046f49f9938abd2dedf4f60e08ae",
                hex(MessageDigest.getInstance("SM3", BcProvider.INSTANCE).digest(key)));
        assertEquals("fa2028801e86d45f5638cadafb5db2e9", hex(ResourceCipher.sm4KeyFor(key)));
    }

    @Test
    void officialSm4GcmVector() {
        assertEquals("plaintext", utf8(cipher.decrypt("AEAD_SM4_GCM", NONCE, AAD, SM4_CIPHERTEXT)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AEAD_AES_256_GCM", "AEAD_SM4_GCM"})
    void roundTripsWithChineseTextAndWithoutAssociatedData(String algorithm) {
        byte[] plain = "{\"trade_state_desc\":\"支付成功\"}".getBytes(StandardCharsets.UTF_8);
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        String empty = V3Signer.encrypt(algorithm, key, NONCE, "", plain);
        assertArrayEquals(plain, cipher.decrypt(algorithm, NONCE, "", empty));
        assertArrayEquals(plain, cipher.decrypt(algorithm, NONCE, null, empty), "null AAD is empty AAD");
        String withAad = V3Signer.encrypt(algorithm, key, NONCE, "transaction", plain);
        assertArrayEquals(plain, cipher.decrypt(algorithm, NONCE, "transaction", withAad));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AEAD_AES_256_GCM", "AEAD_SM4_GCM"})
    void aTamperedCiphertextIsDecryptFailed(String algorithm) {
        String good = "AEAD_AES_256_GCM".equals(algorithm) ? AES_CIPHERTEXT : SM4_CIPHERTEXT;
        byte[] bytes = Base64.getDecoder().decode(good);
        bytes[0] ^= 1;
        assertEquals(Reason.DECRYPT_FAILED,
                rejection(cipher, algorithm, NONCE, AAD, Base64.getEncoder().encodeToString(bytes)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AEAD_AES_256_GCM", "AEAD_SM4_GCM"})
    void aTamperedTagNonceOrAssociatedDataIsDecryptFailed(String algorithm) {
        String good = "AEAD_AES_256_GCM".equals(algorithm) ? AES_CIPHERTEXT : SM4_CIPHERTEXT;
        byte[] bytes = Base64.getDecoder().decode(good);
        bytes[bytes.length - 1] ^= 0x40;
        assertEquals(Reason.DECRYPT_FAILED,
                rejection(cipher, algorithm, NONCE, AAD, Base64.getEncoder().encodeToString(bytes)));
        assertEquals(Reason.DECRYPT_FAILED, rejection(cipher, algorithm, "uluk4a9R25RX", AAD, good));
        assertEquals(Reason.DECRYPT_FAILED, rejection(cipher, algorithm, NONCE, "associatedDatA", good));
        assertEquals(Reason.DECRYPT_FAILED, rejection(cipher, algorithm, NONCE, "", good));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AEAD_AES_256_GCM", "AEAD_SM4_GCM"})
    void aWrongApiV3KeyIsDecryptFailed(String algorithm) {
        String good = "AEAD_AES_256_GCM".equals(algorithm) ? AES_CIPHERTEXT : SM4_CIPHERTEXT;
        ResourceCipher wrong = new ResourceCipher("b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb");
        NotifyRejected e = assertThrows(NotifyRejected.class, () -> wrong.decrypt(algorithm, NONCE, AAD, good));
        assertEquals(Reason.DECRYPT_FAILED, e.reason());
        assertEquals("wrong APIv3 key or tampered resource", e.getMessage());
    }

    @Test
    void threadsDecryptingManyDifferentResourcesAtOnceEachGetTheRightAnswer() throws Exception {
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        List<String[]> cases = new ArrayList<>(); // algorithm, nonce, aad, ciphertext, plaintext or null
        for (int i = 0; i < 32; i++) {
            String algorithm = i % 2 == 0 ? "AEAD_AES_256_GCM" : "AEAD_SM4_GCM";
            String plain = "{\"n\":" + i + ",\"trade_state_desc\":\"支付成功" + "x".repeat(i * 13) + "\"}";
            String nonce = V3Signer.nonce(12);
            String aad = i % 3 == 0 ? "" : "transaction-" + i;
            String ciphertext = V3Signer.encrypt(algorithm, key, nonce, aad, plain.getBytes(StandardCharsets.UTF_8));
            cases.add(new String[] {algorithm, nonce, aad, ciphertext, plain});
            if (i % 3 == 1) {
                byte[] tampered = Base64.getDecoder().decode(ciphertext);
                tampered[i % tampered.length] ^= 1;
                cases.add(new String[] {algorithm, nonce, aad, Base64.getEncoder().encodeToString(tampered), null});
            }
        }
        AtomicInteger wrong = new AtomicInteger();
        CryptoPoolTest.inThreads(4, thread -> {
            List<String[]> mine = new ArrayList<>(cases);
            Random random = new Random(thread);
            for (int round = 0; round < 40; round++) {
                Collections.shuffle(mine, random);
                for (String[] c : mine) {
                    String got;
                    try {
                        got = utf8(cipher.decrypt(c[0], c[1], c[2], c[3]));
                    } catch (NotifyRejected e) {
                        got = e.reason() == Reason.DECRYPT_FAILED ? null : e.reason().name();
                    }
                    if (!Objects.equals(c[4], got)) {
                        wrong.incrementAndGet();
                    }
                }
            }
        });
        assertEquals(0, wrong.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AEAD_AES_128_GCM", "aead_aes_256_gcm", "AES", ""})
    void anUnknownAlgorithmIsUnsupported(String algorithm) {
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(cipher, algorithm, NONCE, AAD, AES_CIPHERTEXT));
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(cipher, null, NONCE, AAD, AES_CIPHERTEXT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "ulwSiIajGClc vcOYvOQ7+l+0PAbzzwI=", "ulwSiIajGClcvcOYvOQ7-l_0PAbzzwI=", "%%%%", "AAAA"})
    void badBase64OrTooShortIsMalformed(String ciphertext) {
        assertEquals(Reason.MALFORMED, rejection(cipher, "AEAD_AES_256_GCM", NONCE, AAD, ciphertext));
    }

    @Test
    void aMissingNonceOrCiphertextIsMissingField() {
        assertEquals(Reason.MISSING_FIELD, rejection(cipher, "AEAD_AES_256_GCM", null, AAD, AES_CIPHERTEXT));
        assertEquals(Reason.MISSING_FIELD, rejection(cipher, "AEAD_AES_256_GCM", "", AAD, AES_CIPHERTEXT));
        assertEquals(Reason.MISSING_FIELD, rejection(cipher, "AEAD_AES_256_GCM", NONCE, AAD, null));
    }

    @Test
    void theKeyMustBe32AsciiBytesAndIsNeverShown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ResourceCipher("a7cde1ZJB1kG2e7VfTs3jQzaWizur8G"));
        assertFalse(e.getMessage().contains("a7cde1"));
        assertThrows(IllegalArgumentException.class, () -> new ResourceCipher("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gé"));
        assertThrows(IllegalArgumentException.class, () -> new ResourceCipher((String) null));
        assertFalse(cipher.toString().contains("a7cde1"));
    }
}
