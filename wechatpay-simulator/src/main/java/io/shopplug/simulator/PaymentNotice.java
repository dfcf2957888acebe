package io.shopplug.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one APIv2 payment notice should say, and how (if at all) it should be broken. Immutable;
 * made with {@link #builder()} or {@link #of(String, long)}.
 *
 * <p>The ways to break a notice model what an attacker or a misconfiguration produces:
 * {@link Builder#signedWithKey(String) a wrong key}, {@link Builder#withoutSign() no sign}, and
 * {@link Builder#tamperedAfterSigning(String, String) a field changed after signing}.
 */
public final class PaymentNotice {

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String outTradeNo;
    private final long totalFee;
    private final long cashFee;
    private final String transactionId;
    private final String openid;
    private final Map<String, String> fields;
    private final String signKey;
    private final boolean omitSign;
    private final boolean omitSignTypeField;
    private final Map<String, String> tampered;

    private PaymentNotice(Builder b) {
        this.outTradeNo = Objects.requireNonNull(b.outTradeNo, "outTradeNo");
        if (b.totalFee == null || b.totalFee <= 0) {
            throw new IllegalArgumentException("totalFee must be set and positive (fen)");
        }
        this.totalFee = b.totalFee;
        this.cashFee = b.cashFee == null ? b.totalFee : b.cashFee;
        this.transactionId = b.transactionId;
        this.openid = b.openid;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
        this.signKey = b.signKey;
        this.omitSign = b.omitSign;
        this.omitSignTypeField = b.omitSignTypeField;
        this.tampered = Collections.unmodifiableMap(new LinkedHashMap<>(b.tampered));
    }

    /** A well-formed notice for an order paid in full. */
    public static PaymentNotice of(String outTradeNo, long totalFee) {
        return builder().outTradeNo(outTradeNo).totalFee(totalFee).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String outTradeNo() {
        return outTradeNo;
    }

    /** Amount in fen. */
    public long totalFee() {
        return totalFee;
    }

    /** Amount in fen; defaults to {@link #totalFee()}. */
    public long cashFee() {
        return cashFee;
    }

    /** The given transaction id; empty means the simulator generates one. */
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    /** The given openid; empty means the simulator generates one. */
    public Optional<String> openid() {
        return Optional.ofNullable(openid);
    }

    /** Extra or overriding fields, signed with the rest. */
    public Map<String, String> fields() {
        return fields;
    }

    /** The key to sign with instead of the merchant's; empty means the merchant's key. */
    Optional<String> signKey() {
        return Optional.ofNullable(signKey);
    }

    public boolean omitSign() {
        return omitSign;
    }

    public boolean omitSignTypeField() {
        return omitSignTypeField;
    }

    /** Fields set (or, with a {@code null} value, removed) after the sign was computed. */
    public Map<String, String> tamperedAfterSigning() {
        return tampered;
    }

    /** Whether the notice was deliberately broken so that a verifier must reject it. */
    public boolean isBroken() {
        return signKey != null || omitSign || !tampered.isEmpty();
    }

    @Override
    public String toString() {
        return "PaymentNotice[outTradeNo=" + outTradeNo + ", totalFee=" + totalFee
                + ", cashFee=" + cashFee + ", transactionId=" + transactionId
                + ", fields=" + fields.keySet() + ", wrongKey=" + (signKey != null)
                + ", omitSign=" + omitSign + ", omitSignTypeField=" + omitSignTypeField
                + ", tampered=" + tampered.keySet() + "]";
    }

    /** Builder for {@link PaymentNotice}; {@code outTradeNo} and {@code totalFee} are required. */
    public static final class Builder {
        private String outTradeNo;
        private Long totalFee;
        private Long cashFee;
        private String transactionId;
        private String openid;
        private final Map<String, String> fields = new LinkedHashMap<>();
        private String signKey;
        private boolean omitSign;
        private boolean omitSignTypeField;
        private final Map<String, String> tampered = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder outTradeNo(String value) {
            this.outTradeNo = Objects.requireNonNull(value, "outTradeNo");
            return this;
        }

        /** Order amount in fen. */
        public Builder totalFee(long fen) {
            this.totalFee = fen;
            return this;
        }

        /** Amount the payer paid in cash, in fen; defaults to the total fee. */
        public Builder cashFee(long fen) {
            this.cashFee = fen;
            return this;
        }

        /** Use this transaction id instead of a generated one. */
        public Builder transactionId(String value) {
            this.transactionId = Objects.requireNonNull(value, "transactionId");
            return this;
        }

        /** Use this openid instead of a generated one. */
        public Builder openid(String value) {
            this.openid = Objects.requireNonNull(value, "openid");
            return this;
        }

        /**
         * Adds a field, or overrides a generated one (say {@code result_code}, {@code fee_type}),
         * before signing. An empty value is sent but, as the protocol says, not signed.
         */
        public Builder field(String name, String value) {
            checkName(name);
            if ("sign".equals(name)) {
                throw new IllegalArgumentException("sign is computed; use the break methods");
            }
            fields.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sign with this key instead of the merchant's: a verifier must reject the sign. */
        public Builder signedWithKey(String wrongKey) {
            this.signKey = Objects.requireNonNull(wrongKey, "wrongKey");
            return this;
        }

        /** Send no {@code sign} field at all. */
        public Builder withoutSign() {
            this.omitSign = true;
            return this;
        }

        /**
         * Leave out {@code sign_type} even for HMAC-SHA256, as real notices often do; the notice
         * stays valid for a receiver that uses its configured sign type.
         */
        public Builder withoutSignTypeField() {
            this.omitSignTypeField = true;
            return this;
        }

        /**
         * After signing, set {@code name} to {@code value} (a new field is appended; a {@code null}
         * value removes the field). The sign no longer matches.
         */
        public Builder tamperedAfterSigning(String name, String value) {
            checkName(name);
            tampered.put(name, value);
            return this;
        }

        public PaymentNotice build() {
            return new PaymentNotice(this);
        }

        private static void checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (!FIELD_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a field name: " + name);
            }
        }
    }
}
