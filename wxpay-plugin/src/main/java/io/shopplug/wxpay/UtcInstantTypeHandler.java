package io.shopplug.wxpay;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.apache.ibatis.type.BaseTypeHandler;
import org.apache.ibatis.type.JdbcType;

/**
 * Stores an {@link Instant} as a UTC wall-clock {@link LocalDateTime} in a column without a time
 * zone ({@code TIMESTAMP(3)} / {@code DATETIME(3)}), and reads it back the same way, so neither
 * the JVM's nor the server's time zone can shift a stored instant. Instants are truncated to
 * milliseconds on the way in (the columns hold milliseconds, and all three databases then agree).
 */
final class UtcInstantTypeHandler extends BaseTypeHandler<Instant> {

    /** The UTC wall clock of {@code instant}, truncated to milliseconds. */
    static LocalDateTime toUtc(Instant instant) {
        return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    /** The instant of a UTC wall clock; {@code null} stays {@code null}. */
    static Instant fromUtc(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    @Override
    public void setNonNullParameter(PreparedStatement ps, int i, Instant parameter, JdbcType jdbcType)
            throws SQLException {
        ps.setObject(i, toUtc(parameter));
    }

    @Override
    public Instant getNullableResult(ResultSet rs, String columnName) throws SQLException {
        return fromUtc(rs.getObject(columnName, LocalDateTime.class));
    }

    @Override
    public Instant getNullableResult(ResultSet rs, int columnIndex) throws SQLException {
        return fromUtc(rs.getObject(columnIndex, LocalDateTime.class));
    }

    @Override
    public Instant getNullableResult(CallableStatement cs, int columnIndex) throws SQLException {
        return fromUtc(cs.getObject(columnIndex, LocalDateTime.class));
    }
}
