package io.shopplug.wxpay;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Where the WeChat Pay platform certificates of one merchant come from (in production: {@code GET
 * /v3/certificates}, decrypted and parsed). Called by {@link PlatformKeys} on its refresh schedule
 * and after a notify with an unknown serial, never more than once at a time.
 */
interface CertificateSource {
    /**
     * @return every platform certificate currently listed, possibly empty
     * @throws Exception on any failure (network, answer, decryption, parsing); {@link PlatformKeys}
     *     keeps the keys it already has
     */
    List<X509Certificate> fetch() throws Exception;
}
