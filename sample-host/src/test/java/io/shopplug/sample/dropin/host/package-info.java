/**
 * The "shop" side of the drop-in tests: hooks, a filter, a servlet and a probe listener that the
 * tests pack into a host JAR at test time and put into a real webapp's {@code WEB-INF/lib}, with
 * their {@code META-INF/services} files only in that JAR. They run on the webapp's class loader,
 * so they report to the tests only through neutral channels: a file, and servlet-context
 * attributes holding JDK types.
 */
package io.shopplug.sample.dropin.host;
