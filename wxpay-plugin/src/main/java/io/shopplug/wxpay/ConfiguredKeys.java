package io.shopplug.wxpay;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The keys the configuration names, read once at start: the APIv2 key and APIv3 key (only that
 * they are set, and the sign type), the serial and expiry of each configured platform certificate
 * file, the WeChat Pay public-key id and the merchant's own certificate serial.
 */
final class ConfiguredKeys implements KeyInventory {
    private final List<KeyStatus> keys;

    ConfiguredKeys(WxPayConfig config) {
        List<KeyStatus> list = new ArrayList<>();
        for (MerchantConfig m : config.merchants()) {
            String name = m.name();
            String mchId = m.mchId();
            if (m.apiV2Key().isPresent()) {
                list.add(new KeyStatus(name, mchId, "APIv2", "APIv2 key, sign type " + m.signType(), null, null, null));
            }
            if (m.apiV3Key().isPresent()) {
                list.add(new KeyStatus(name, mchId, "APIv3", "APIv3 key (decrypts resources)", null, null, null));
            }
            for (String file : m.platformCertFiles()) {
                list.addAll(certificates(name, mchId, file));
            }
            m.publicKeyId().ifPresent(id -> list.add(new KeyStatus(name, mchId, "APIv3",
                    "WeChat Pay public key", id, null, null)));
            m.certSerial().ifPresent(serial -> list.add(new KeyStatus(name, mchId, "APIv3",
                    "merchant API certificate", serial, null, "signs requests to WeChat Pay")));
        }
        this.keys = Collections.unmodifiableList(list);
    }

    @Override
    public List<KeyStatus> keys() {
        return keys;
    }

    /** The certificates of one PEM file; one "unreadable" line when it cannot be read. */
    private static List<KeyStatus> certificates(String merchant, String mchId, String file) {
        List<KeyStatus> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                if (c instanceof X509Certificate) {
                    X509Certificate x = (X509Certificate) c;
                    out.add(new KeyStatus(merchant, mchId, "APIv3", "platform certificate",
                            x.getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
                            x.getNotAfter().toInstant(), null));
                }
            }
        } catch (Exception e) {
            out.add(new KeyStatus(merchant, mchId, "APIv3", "platform certificate", null, null,
                    "unreadable (" + e.getClass().getSimpleName() + ")"));
        }
        if (out.isEmpty()) {
            out.add(new KeyStatus(merchant, mchId, "APIv3", "platform certificate", null, null,
                    "no certificate in the file"));
        }
        return out;
    }
}
