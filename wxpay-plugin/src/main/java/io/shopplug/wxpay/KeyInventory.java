package io.shopplug.wxpay;

import java.time.Instant;
import java.util.List;

/**
 * The keys the plugin verifies notifications with, as the console shows them: which kind, which
 * serial, until when. Never a key itself. {@link ConfiguredKeys} lists what the configuration
 * names; the APIv3 verifier, once it loads or downloads platform certificates at run time, binds
 * its own inventory here (in {@link ConsoleModule}) so the console shows the serials actually in
 * use and their expiry.
 */
interface KeyInventory {

    /** Every key of every merchant, in configuration order. Never throws. */
    List<KeyStatus> keys();

    /** One key as the console shows it. Holds no secret: serials and ids are public. */
    final class KeyStatus {
        private final String merchant;
        private final String mchId;
        private final String api;
        private final String kind;
        private final String serial;
        private final Instant notAfter;
        private final String note;

        /**
         * @param merchant the merchant's configured name
         * @param api {@code APIv2} or {@code APIv3}
         * @param kind what the key is, such as {@code platform certificate}
         * @param serial a certificate serial or public-key id; null when the kind has none
         * @param notAfter when it expires; null when unknown or never
         * @param note anything to add, such as {@code unreadable}; null when nothing
         */
        KeyStatus(String merchant, String mchId, String api, String kind, String serial,
                Instant notAfter, String note) {
            this.merchant = merchant;
            this.mchId = mchId;
            this.api = api;
            this.kind = kind;
            this.serial = serial;
            this.notAfter = notAfter;
            this.note = note;
        }

        String merchant() { return merchant; }
        String mchId() { return mchId; }
        String api() { return api; }
        String kind() { return kind; }
        String serial() { return serial; }
        Instant notAfter() { return notAfter; }
        String note() { return note; }
    }
}
