package io.shopplug.wxpay;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * One key WeChat Pay signs notifications with, as selected by {@code Wechatpay-Serial}: a
 * platform certificate's key or the configured WeChat Pay public key. Immutable.
 */
final class PlatformKey {

    /** The key's algorithm and the only {@code Wechatpay-Signature-Type} it verifies. */
    enum Algorithm {
        /** {@code SHA256withRSA} (PKCS#1 v1.5). */
        RSA("WECHATPAY2-SHA256-RSA2048"),
        /** {@code SM3withSM2}, user id {@code 1234567812345678}. */
        SM2("WECHATPAY2-SM2-WITH-SM3");

        private final String signatureType;

        Algorithm(String signatureType) {
            this.signatureType = signatureType;
        }

        /** The {@code Wechatpay-Signature-Type} header value of signatures made with such a key. */
        String signatureType() { return signatureType; }

        /**
         * @return RSA for an RSA key, SM2 for an EC key on the SM2 curve ({@code sm2p256v1}),
         *     empty for anything else
         */
        static Optional<Algorithm> of(PublicKey key) {
            if (key instanceof RSAPublicKey) {
                return Optional.of(RSA);
            }
            try {
                SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
                ASN1ObjectIdentifier alg = info.getAlgorithm().getAlgorithm();
                ASN1Encodable params = info.getAlgorithm().getParameters();
                boolean ecOnSm2Curve = X9ObjectIdentifiers.id_ecPublicKey.equals(alg)
                        && GMObjectIdentifiers.sm2p256v1.equals(params);
                if (ecOnSm2Curve || GMObjectIdentifiers.sm2p256v1.equals(alg)) {
                    return Optional.of(SM2);
                }
            } catch (RuntimeException e) {
                // Not an encoding we understand: not a key we can use.
            }
            return Optional.empty();
        }
    }

    /** Where the key comes from. */
    enum Kind {
        /** A platform certificate; the serial is the certificate's serial number in uppercase hex. */
        CERTIFICATE,
        /** The WeChat Pay public key; the serial is its {@code PUB_KEY_ID_...} id. */
        PUBLIC_KEY
    }

    private final String serial;
    private final Algorithm algorithm;
    private final Kind kind;
    private final PublicKey publicKey;
    private final Instant notAfter;

    PlatformKey(String serial, Algorithm algorithm, Kind kind, PublicKey publicKey, Instant notAfter) {
        this.serial = Objects.requireNonNull(serial, "serial");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.notAfter = notAfter;
    }

    /** The value {@code Wechatpay-Serial} carries for this key. */
    String serial() { return serial; }
    Algorithm algorithm() { return algorithm; }
    Kind kind() { return kind; }
    PublicKey publicKey() { return publicKey; }
    /** The certificate's expiry; empty for a public key, which does not expire. */
    Optional<Instant> notAfter() { return Optional.ofNullable(notAfter); }

    /** True when the key is a certificate's key that expired before {@code now}. */
    boolean expiredAt(Instant now) {
        return notAfter != null && now.isAfter(notAfter);
    }

    @Override
    public String toString() {
        return "PlatformKey[" + serial + ", " + algorithm + ", " + kind
                + (notAfter == null ? "" : ", notAfter " + notAfter) + "]";
    }
}
