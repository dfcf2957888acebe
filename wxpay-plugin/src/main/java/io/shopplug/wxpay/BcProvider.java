package io.shopplug.wxpay;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The plugin's one BouncyCastle provider object (SM2, SM3, SM4). It is passed explicitly to
 * {@code getInstance(algorithm, provider)} and never registered with {@code Security.addProvider},
 * which would leak it across redeploys of the host's webapp.
 */
final class BcProvider {
    /** Built once per class loader; stateless after construction and safe to share. */
    static final Provider INSTANCE = new BouncyCastleProvider();

    private BcProvider() {}
}
