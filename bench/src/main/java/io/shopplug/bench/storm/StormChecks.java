package io.shopplug.bench.storm;

import io.shopplug.bench.storm.StormPlan.Shot;
import io.shopplug.bench.storm.StormReport.Check;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The count check after the storm, from the shop's database and the answers recorded: what must
 * hold whatever the load, over every round sent to the shop (the warm-up's and the storm's).
 * Expectations come from the orders as the shop placed them (amounts checked against its prices)
 * and the shop's documented rules: a paid order is {@code PAID}, its quantity leaves its product's
 * stock, and its member earns one point per whole yuan ({@code amount / 100}, sample-host
 * {@code PointsListener}).
 */
final class StormChecks {
    /** The sample shop's own listeners, as they name themselves in {@code shop_applied_event}. */
    static final List<String> LISTENERS = List.of("order-status", "inventory", "points");

    /** One storm sent to the shop: its plan, its orders as placed, its notifications and its answers. */
    record Round(StormPlan plan, StormOrders orders, StormMessages messages, StormDriver.Recording rec) {}

    /** A genuine order of some round: its round and index there. */
    private record Genuine(Round round, int index) {
        StormOrders.Placed placed() {
            return round.orders.genuine(index);
        }

        String transactionId() {
            return round.messages.transactionId(index);
        }
    }

    private final List<Round> rounds;
    private final List<Genuine> genuine = new ArrayList<>();
    private final List<StormOrders.Placed> bait = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    /** Facts that are reported but not judged. */
    private final Map<String, String> notes = new java.util.LinkedHashMap<>();

    StormChecks(List<Round> rounds) {
        this.rounds = List.copyOf(rounds);
        for (Round r : rounds) {
            for (int i = 0; i < r.plan.orders(); i++) {
                genuine.add(new Genuine(r, i));
            }
            for (int i = 0; i < r.plan.baitOrders(); i++) {
                bait.add(r.orders.bait(i));
            }
        }
    }

    List<Check> checks() {
        return checks;
    }

    Map<String, String> notes() {
        return notes;
    }

    private void check(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
    }

    /** The checks on the answers alone. */
    void answers() {
        int sent = 0;
        int requests = 0;
        int forgedSent = 0;
        int unanswered = 0;
        int notAcknowledged = 0;
        Map<String, Long> failures = new TreeMap<>();
        Map<String, Integer> forgedAccepted = new TreeMap<>();
        for (Round round : rounds) {
            StormPlan plan = round.plan;
            StormDriver.Recording rec = round.rec;
            requests += rec.requests();
            rec.failures.forEach((k, v) -> failures.merge(k, v.sum(), Long::sum));
            boolean[] acknowledged = new boolean[plan.orders()];
            for (int s = 0; s < plan.shots(); s++) {
                Shot shot = plan.shot(s);
                for (int r = shot.firstRequest(); r < shot.firstRequest() + shot.requests(); r++) {
                    int status = rec.status[r];
                    if (status == -1) {
                        continue;
                    }
                    sent++;
                    forgedSent += shot.forged() ? 1 : 0;
                    if (status == 0) {
                        unanswered++;
                    }
                    boolean ok = status >= 200 && status < 300;
                    if (shot.forged() && ok) {
                        forgedAccepted.merge(shot.forgery().name(), 1, Integer::sum);
                    } else if (!shot.forged() && ok) {
                        acknowledged[shot.order()] = true;
                    }
                }
            }
            for (boolean a : acknowledged) {
                notAcknowledged += a ? 0 : 1;
            }
        }
        check("every request sent", sent == requests, sent + " of " + requests + " sent" + coverage());
        check("every request answered", unanswered == 0,
                unanswered == 0 ? "no time-out, no reset" : unanswered + " without an answer: " + failures);
        check("every genuine order acknowledged at least once", notAcknowledged == 0,
                (genuine.size() - notAcknowledged) + " of " + genuine.size() + " orders" + coverage()
                        + " got a 2xx for some copy");
        int accepted = forgedAccepted.values().stream().mapToInt(Integer::intValue).sum();
        check("no forged request accepted", accepted == 0,
                accepted == 0 ? "no 2xx for any of the " + forgedSent + " forged requests" : "2xx for " + forgedAccepted);
    }

    /** What the counts cover, when there was more than the storm. */
    private String coverage() {
        return rounds.size() == 1 ? "" : " (the warm-up's and the storm's)";
    }

    /** The checks on the shop's database, after the outbox has drained. */
    void database(StormTarget target, Map<Long, Long> stockBefore, Map<Long, Long> pointsBefore) throws SQLException {
        try (Connection c = target.connect()) {
            payments(c);
            orderStates(c);
            outbox(c);
            applied(c);
            stockAndPoints(c, stockBefore, pointsBefore);
        }
    }

    private void payments(Connection c) throws SQLException {
        Map<String, Integer> genuineIndex = new HashMap<>();
        for (int i = 0; i < genuine.size(); i++) {
            genuineIndex.put(genuine.get(i).placed().outTradeNo(), i);
        }
        Set<String> baitNumbers = new HashSet<>();
        for (StormOrders.Placed b : bait) {
            baitNumbers.add(b.outTradeNo());
        }
        int[] rows = new int[genuine.size()];
        int wrong = 0;
        int baitPaid = 0;
        int other = 0;
        List<String> examples = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT out_trade_no, transaction_id, amount_fen, event_kind FROM wxpay_transaction");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String no = rs.getString(1);
                Integer i = genuineIndex.get(no);
                if (i != null) {
                    rows[i]++;
                    Genuine g = genuine.get(i);
                    if (!g.transactionId().equals(rs.getString(2)) || rs.getLong(3) != g.placed().amountFen()
                            || !"PAYMENT".equals(rs.getString(4).trim())) {
                        wrong++;
                        examples.add(no + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getString(4));
                    }
                } else if (baitNumbers.contains(no)) {
                    baitPaid++;
                } else {
                    other++;
                }
            }
        }
        int missing = 0;
        int twice = 0;
        for (int n : rows) {
            missing += n == 0 ? 1 : 0;
            twice += n > 1 ? 1 : 0;
        }
        check("every genuine order's payment recorded exactly once", missing == 0 && twice == 0 && wrong == 0,
                genuine.size() + " orders" + coverage() + ": " + missing + " without a payment record, " + twice
                        + " with more than one, " + wrong + " with another transaction id, amount or kind"
                        + (examples.isEmpty() ? "" : " " + examples.subList(0, Math.min(3, examples.size()))));
        check("no payment recorded for a bait order or anything else", baitPaid == 0 && other == 0,
                baitPaid + " bait payments, " + other + " other records");
    }

    private void orderStates(Connection c) throws SQLException {
        Map<String, String> state = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT out_trade_no, state FROM shop_order");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                state.put(rs.getString(1), rs.getString(2).trim());
            }
        }
        int notPaid = 0;
        for (Genuine g : genuine) {
            notPaid += "PAID".equals(state.get(g.placed().outTradeNo())) ? 0 : 1;
        }
        check("every genuine order PAID", notPaid == 0, (genuine.size() - notPaid) + " of " + genuine.size() + " PAID");
        int baitMoved = 0;
        for (StormOrders.Placed b : bait) {
            baitMoved += "AWAITING_PAYMENT".equals(state.get(b.outTradeNo())) ? 0 : 1;
        }
        check("every bait order still awaiting payment", baitMoved == 0,
                (bait.size() - baitMoved) + " of " + bait.size() + " AWAITING_PAYMENT");
    }

    private void outbox(Connection c) throws SQLException {
        Map<String, Long> byState = new TreeMap<>();
        long retried = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, COUNT(*), SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END) FROM wxpay_outbox GROUP BY state");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                byState.put(rs.getString(1).trim(), rs.getLong(2));
                retried += rs.getLong(3);
            }
        }
        long expected = (long) genuine.size() * LISTENERS.size();
        long delivered = byState.getOrDefault("DELIVERED", 0L);
        long wrongCount = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM (SELECT transaction_ref FROM wxpay_outbox"
                + " GROUP BY transaction_ref HAVING COUNT(*) <> " + LISTENERS.size() + ") t");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            wrongCount = rs.getLong(1);
        }
        check("every outbox entry delivered", delivered == expected && byState.size() == 1 && wrongCount == 0,
                "expected " + expected + " (" + LISTENERS.size() + " listeners x " + genuine.size() + "), by state "
                        + byState + ", payments without exactly " + LISTENERS.size() + " entries: " + wrongCount);
        notes.put("outbox entries delivered after more than one attempt", Long.toString(retried));
    }

    private void applied(Connection c) throws SQLException {
        Map<String, Set<String>> keys = new HashMap<>();
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT idempotency_key, listener FROM shop_applied_event WHERE idempotency_key LIKE 'wxpay:payment:%'");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows++;
                keys.computeIfAbsent(rs.getString(2), k -> new HashSet<>()).add(rs.getString(1));
            }
        }
        Set<String> expected = new HashSet<>();
        for (Genuine g : genuine) {
            expected.add("wxpay:payment:" + g.transactionId());
        }
        List<String> problems = new ArrayList<>();
        for (String listener : LISTENERS) {
            Set<String> got = keys.getOrDefault(listener, Set.of());
            if (!got.equals(expected)) {
                Set<String> missing = new HashSet<>(expected);
                missing.removeAll(got);
                Set<String> extra = new HashSet<>(got);
                extra.removeAll(expected);
                problems.add(listener + ": " + missing.size() + " missing, " + extra.size() + " unexpected");
            }
        }
        long expectedRows = (long) genuine.size() * LISTENERS.size();
        check("each of the shop's listeners applied each payment exactly once",
                problems.isEmpty() && rows == expectedRows && keys.keySet().equals(new HashSet<>(LISTENERS)),
                rows + " applied events, expected " + expectedRows + " (" + LISTENERS + " x " + genuine.size() + ")"
                        + (problems.isEmpty() ? "" : "; " + problems) + "; listeners seen " + keys.keySet());
    }

    private void stockAndPoints(Connection c, Map<Long, Long> stockBefore, Map<Long, Long> pointsBefore)
            throws SQLException {
        Map<Long, Long> sold = new TreeMap<>();
        Map<Long, Long> earned = new TreeMap<>();
        for (Genuine g : genuine) {
            StormOrders.Placed o = g.placed();
            sold.merge(o.line().productId(), (long) o.line().quantity(), Long::sum);
            earned.merge(o.line().memberId(), o.amountFen() / 100, Long::sum);
        }
        Map<Long, Long> stockAfter = read(c, "SELECT id, stock FROM shop_product");
        Map<Long, Long> pointsAfter = read(c, "SELECT id, points FROM shop_member");
        List<String> stock = new ArrayList<>();
        boolean stockOk = true;
        for (Map.Entry<Long, Long> e : new TreeMap<>(stockBefore).entrySet()) {
            long expected = e.getValue() - sold.getOrDefault(e.getKey(), 0L);
            long got = stockAfter.getOrDefault(e.getKey(), Long.MIN_VALUE);
            stockOk &= expected == got;
            stock.add("product " + e.getKey() + ": " + e.getValue() + " - " + sold.getOrDefault(e.getKey(), 0L)
                    + " = " + got + (expected == got ? "" : " (expected " + expected + ")"));
        }
        check("stock exact", stockOk, String.join("; ", stock));
        List<String> points = new ArrayList<>();
        boolean pointsOk = true;
        for (Map.Entry<Long, Long> e : new TreeMap<>(pointsBefore).entrySet()) {
            long expected = e.getValue() + earned.getOrDefault(e.getKey(), 0L);
            long got = pointsAfter.getOrDefault(e.getKey(), Long.MIN_VALUE);
            pointsOk &= expected == got;
            points.add("member " + e.getKey() + ": " + e.getValue() + " + " + earned.getOrDefault(e.getKey(), 0L)
                    + " = " + got + (expected == got ? "" : " (expected " + expected + ")"));
        }
        check("points exact", pointsOk, String.join("; ", points));
    }

    private static Map<Long, Long> read(Connection c, String sql) throws SQLException {
        Map<Long, Long> values = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return values;
    }

    /** A check decided elsewhere (drain, time limit). */
    void add(String name, boolean passed, String detail) {
        check(name, passed, detail);
    }
}
