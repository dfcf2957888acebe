package io.shopplug.wxpay;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.time.Clock;
import javax.sql.DataSource;

/** Binds the database (the host's, JNDI's or the plugin's own pool), its schema and the store. */
final class StoreModule extends AbstractModule {

    @Provides
    @Singleton
    Database database(WxPayConfig config, HostHooks hooks, Clock clock) {
        DataSource dataSource = DataSources.open(hooks.dataSource(), config.dbJndi().orElse(""),
                config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(),
                config.dbConnectTimeout());
        try {
            if (config.dbMigrate()) {
                new SchemaMigrator(dataSource, clock).migrate();
            }
            return new Database(dataSource, Database.DEFAULT_STATEMENT_TIMEOUT);
        } catch (RuntimeException e) {
            DataSources.close(dataSource);
            throw e;
        }
    }

    @Provides
    @Singleton
    NotifyStore store(Database database, Clock clock) {
        return new NotifyStore(database.sessionFactory(), clock);
    }
}
