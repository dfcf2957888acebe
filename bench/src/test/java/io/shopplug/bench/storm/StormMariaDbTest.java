package io.shopplug.bench.storm;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/**
 * {@link StormTest} with the shop on MariaDB (127.0.0.1:3306, user root): a database of its own,
 * {@code storm_it}, dropped and made anew each run. Tagged {@code db-server}: run with
 * {@code -Pdb-servers}.
 */
@Tag("db-server")
class StormMariaDbTest extends StormTest {
    static final String DATABASE = "storm_it";

    @Override
    Map<String, String> database(Path dir) {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB on 127.0.0.1:3306 (user root) is needed: " + e.getMessage(), e);
        }
        return Map.of("shop.db.url", "jdbc:mariadb://127.0.0.1:3306/" + DATABASE, "shop.db.user", "root",
                "shop.db.password", "");
    }

    @Override
    StormOptions options(Path dir) {
        return super.options(dir).withDb(StormOptions.Db.MARIADB, DATABASE);
    }
}
