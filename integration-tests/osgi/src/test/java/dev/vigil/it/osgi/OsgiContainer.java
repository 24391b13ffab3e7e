package dev.vigil.it.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * An embedded OSGi framework for one test: whichever framework is on the test class path
 * (found by {@link ServiceLoader}, as a launcher finds it), a fresh storage folder cleaned on
 * first init (TOOLCHAIN.md pitfall 4), and the bundles Maven copied to {@code target/bundles}
 * installed and started. Every wait is bounded by {@link #TIMEOUT}. Refers to no Vigil type,
 * so that it also serves the Equinox test, which has no Vigil jar on its class path.
 */
final class OsgiContainer implements AutoCloseable {

    /** The bound of every wait, scaled by {@code vigil.test.timeoutFactor}. */
    /**
     * For tests that use the services through their real types: the host exports the API the
     * tests are compiled against (TOOLCHAIN.md pitfall 5), at the versions of its package-info,
     * and the API bundle is not installed.
     */
    static final String API_FROM_HOST = "dev.vigil.api;version=1.2.0,dev.vigil.spi;version=1.1.0,"
            + "dev.vigil.spi.kernel;version=1.2.0";
    static final Duration TIMEOUT = Duration.ofSeconds(10L * Long.getLong("vigil.test.timeoutFactor", 1L));

    /** What the test framework runs: SCR and its three OSGi API bundles, Configuration Admin. */
    static final List<String> RUNTIME = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin");
    /** Vigil's policy bundles, installed before the registry so that they stop after it. */
    static final List<String> POLICIES = List.of("vigil-policy-daemon-hang", "vigil-policy-fail-fast",
            "vigil-policy-timed-interrupt");
    /** Vigil's implementation bundles. */
    static final List<String> VIGIL = List.of("vigil-registry", "vigil-threadstate", "vigil-guards");

    private final Framework framework;

    private OsgiContainer(Framework framework) {
        this.framework = framework;
    }

    /**
     * Starts a framework in {@code storage} with the extra framework properties and installs,
     * in order, the named bundles from {@code target/bundles}, then starts them all.
     */
    static OsgiContainer start(Path storage, Map<String, String> properties, List<String> bundles)
            throws BundleException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.putAll(properties);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(config);
        framework.start();
        OsgiContainer c = new OsgiContainer(framework);
        try {
            List<Bundle> installed = new ArrayList<>();
            for (String name : bundles) {
                installed.add(c.install(bundleJar(name)));
            }
            for (Bundle b : installed) {
                b.start();
            }
        } catch (BundleException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A jar in {@code target/bundles} by artifact id (copied there without version). */
    static Path bundleJar(String artifactId) {
        Path jar = Paths.get(System.getProperty("vigil.it.bundles", "target/bundles"), artifactId + ".jar");
        assertThat(jar).as("bundle %s (copied by maven-dependency-plugin)", artifactId).isRegularFile();
        return jar;
    }

    Bundle install(Path jar) throws BundleException {
        return context().installBundle(jar.toUri().toString());
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    Framework framework() {
        return framework;
    }

    /** The installed bundle with this symbolic name. */
    Bundle bundle(String symbolicName) {
        for (Bundle b : context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName + " installed");
    }

    /** Waits for a service by its class name and returns it, gotten through the system bundle. */
    Object service(String className) {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context(), className, null);
        tracker.open();
        try {
            Object s = tracker.waitForService(TIMEOUT.toMillis());
            assertThat(s).as("service %s within %s", className, TIMEOUT).isNotNull();
            return context().getService(tracker.getServiceReference());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            tracker.close();
        }
    }

    /** As {@link #service(String)}, typed: for the API types the host exports to the framework. */
    <T> T service(Class<T> type) {
        return type.cast(service(type.getName()));
    }

    /** How many services are registered under a class name now. */
    int serviceCount(String className) {
        try {
            ServiceReference<?>[] refs = context().getServiceReferences(className, null);
            return refs == null ? 0 : refs.length;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Sets (replaces) a configuration through Configuration Admin, reached by reflection
     * because {@code org.osgi.service.cm} is the Configuration Admin bundle's, not the host's.
     * Location {@code "?"}: any bundle may see it.
     */
    void configure(String pid, Map<String, ?> properties) {
        Dictionary<String, Object> dict = new Hashtable<>(properties);
        configuration(pid, "update", new Class<?>[] {Dictionary.class}, dict);
    }

    /** Deletes a configuration through Configuration Admin. */
    void deleteConfiguration(String pid) {
        configuration(pid, "delete", new Class<?>[0]);
    }

    private void configuration(String pid, String method, Class<?>[] types, Object... args) {
        try {
            Bundle cm = bundle("org.apache.felix.configadmin");
            Class<?> adminType = cm.loadClass("org.osgi.service.cm.ConfigurationAdmin");
            Class<?> configurationType = cm.loadClass("org.osgi.service.cm.Configuration");
            Object admin = service(adminType.getName());
            Object configuration = adminType.getMethod("getConfiguration", String.class, String.class)
                    .invoke(admin, pid, "?");
            configurationType.getMethod(method, types).invoke(configuration, args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Configuration Admin: " + method + " " + pid, e);
        }
    }

    /** Calls a public method of a service's API interface by reflection (for the Equinox test). */
    static Object call(Object target, String interfaceName, String method) {
        try {
            Method m = findInterface(target.getClass(), interfaceName).getMethod(method);
            return m.invoke(target);
        } catch (InvocationTargetException e) {
            throw new AssertionError(method + " threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Class<?> findInterface(Class<?> type, String name) {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            Class<?> found = findInInterfaces(t.getInterfaces(), name);
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError(type + " does not implement " + name);
    }

    private static Class<?> findInInterfaces(Class<?>[] interfaces, String name) {
        for (Class<?> i : interfaces) {
            Class<?> found = i.getName().equals(name) ? i : findInInterfaces(i.getInterfaces(), name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Stops the framework, bounded; fails if it does not stop in time. */
    @Override
    public void close() {
        try {
            framework.stop();
            FrameworkEvent e = framework.waitForStop(TIMEOUT.toMillis());
            assertThat(e.getType()).as("framework stopped within %s", TIMEOUT)
                    .isNotEqualTo(FrameworkEvent.WAIT_TIMEDOUT);
        } catch (BundleException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A fresh folder under {@code target/} for one framework's storage. */
    static Path storage(String name) throws IOException {
        Path dir = Paths.get("target", "osgi-storage");
        Files.createDirectories(dir);
        return Files.createTempDirectory(dir, name + "-");
    }
}
