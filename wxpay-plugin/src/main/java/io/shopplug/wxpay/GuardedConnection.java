package io.shopplug.wxpay;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The connection a transactional listener gets: the plugin's delivery transaction, with the calls
 * that would end or split that transaction refused, so the listener's effect and the delivery
 * record cannot commit apart.
 */
final class GuardedConnection implements InvocationHandler {
    private static final Set<String> REFUSED = Set.of("commit", "rollback", "close", "setAutoCommit",
            "abort", "setTransactionIsolation");

    private final Connection delegate;

    private GuardedConnection(Connection delegate) {
        this.delegate = delegate;
    }

    static Connection wrap(Connection delegate) {
        return (Connection) Proxy.newProxyInstance(GuardedConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new GuardedConnection(delegate));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        // rollback(Savepoint) stays allowed: it undoes part of the listener's own work only.
        boolean toSavepoint = name.equals("rollback") && args != null && args.length == 1;
        if (REFUSED.contains(name) && !toSavepoint) {
            throw new SQLException("wxpay: a transactional listener must not call Connection."
                    + name + "; the plugin commits after the listener returns", "25000");
        }
        if (name.equals("isClosed") && args == null) {
            return delegate.isClosed();
        }
        if (name.equals("equals") && args != null && args.length == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && args == null) {
            return System.identityHashCode(proxy);
        }
        if (name.equals("toString") && args == null) {
            return "wxpay delivery transaction";
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
