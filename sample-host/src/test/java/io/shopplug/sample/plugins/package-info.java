/** Test plugins, registered only in the test resources' {@code META-INF/services}. */
package io.shopplug.sample.plugins;
