package io.shopplug.wxpay;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Binds reconciliation: its store, the order queries of the merchants that can be queried, the reconciler. */
final class ReconcileModule extends AbstractModule {

    @Provides
    @Singleton
    ReconcileStore reconcileStore(Database database, Clock clock) {
        return new ReconcileStore(database.sessionFactory(), clock);
    }

    @Provides
    @Singleton
    Reconciler reconciler(WxPayConfig config, HostHooks hooks, Merchants merchants, NotifyProcessor processor,
            ReconcileStore store, Clock clock) {
        return new Reconciler(hooks.pendingOrders().orElse(null),
                queries(merchants, config.apiBaseUrl(), QueryHttp.newClient()), merchants, processor, store, clock,
                () -> config.enabled() && hooks.hostEnabled(), config.reconcileEnabled().orElse(true),
                config.reconcileInterval(), config.reconcileDelay(), config.reconcileMaxAge(),
                config.reconcileMaxPerRun(), Reconciler.defaultNode());
    }

    /**
     * One query per merchant: APIv3 when it has the APIv3 key, WeChat Pay's keys and its own API key
     * (private key file and certificate serial), else APIv2 when it has the APIv2 key. Partner
     * (service-provider) merchants are not queried: their query names a sub-merchant.
     */
    static List<OrderQuery> queries(Merchants merchants, String apiBaseUrl, HttpClient http) {
        List<OrderQuery> queries = new ArrayList<>();
        for (Merchants.Merchant m : merchants.all()) {
            MerchantConfig c = m.config();
            if (c.isPartner()) {
                LoggerFactory.getLogger(Reconciler.class).info(
                        "wxpay reconciliation does not query partner merchant {}", c.name());
            } else if (m.hasApiV3() && m.v3RequestSigner().isPresent()) {
                queries.add(new ApiV3OrderQuery(apiBaseUrl, c.mchId(), m.v3RequestSigner().get(), m.v3Verifier(),
                        http, QueryHttp.REQUEST_TIMEOUT));
            } else if (m.v2Signer().isPresent()) {
                queries.add(new ApiV2OrderQuery(apiBaseUrl, c.appIds().get(0), c.mchId(), m.v2Signer().get(), http,
                        QueryHttp.REQUEST_TIMEOUT));
            } else {
                LoggerFactory.getLogger(Reconciler.class).info("wxpay reconciliation cannot query merchant {}:"
                        + " APIv3 without private-key-file and cert-serial", c.name());
            }
        }
        return queries;
    }
}
