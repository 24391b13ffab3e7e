package dev.vigil.it.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The generated manifests follow DESIGN.md §3: only the API bundle exports, with semantic
 * versions; Vigil packages are imported with narrow ranges; no {@code Require-Bundle};
 * implementation packages stay private; components are Declarative Services, the runtime's
 * PID described by metatype.
 */
class ManifestTest {

    private static final List<String> BUNDLES = List.of("vigil-api", "vigil-registry", "vigil-guards",
            "vigil-threadstate", "vigil-policy-daemon-hang", "vigil-policy-fail-fast", "vigil-policy-timed-interrupt");
    private static final Pattern RANGE = Pattern.compile("\\[(\\d+)\\.(\\d+)(?:\\.\\d+)?,(\\d+)(?:\\.(\\d+))?(?:\\.\\d+)?\\)");

    @Test
    void onlyTheApiBundleExports_theApiPackages_withSemanticVersions() throws IOException {
        for (String b : BUNDLES) {
            Map<String, String> exports = clauses(header(b, "Export-Package"));
            if (b.equals("vigil-api")) {
                assertThat(exports).containsOnlyKeys("dev.vigil.api", "dev.vigil.spi", "dev.vigil.spi.kernel");
                // semantic versions: 1.1.0 added WaitCycle, FinalizationReport.cycle() and WaitContext.cycle()/hook(); spi.kernel 1.1.0 the guard-book and engine seams, Kernel.log and LogSink (§7); 1.2.0: api GuardInfo.running (what a holder's engine runs), spi.kernel EngineBinding and ledger guards (§4)
                assertThat(exports.get("dev.vigil.api")).contains("version=\"1.2.0\"");
                assertThat(exports.get("dev.vigil.spi")).contains("version=\"1.1.0\"");
                assertThat(exports.get("dev.vigil.spi.kernel")).contains("version=\"1.2.0\"");
            } else {
                assertThat(exports).as("%s exports nothing", b).isEmpty();
            }
        }
    }

    @Test
    void vigilImports_haveNarrowRanges_andNoRequireBundle_andNoImplementationPackage() throws IOException {
        for (String b : BUNDLES) {
            assertThat(header(b, "Require-Bundle")).as("%s Require-Bundle", b).isNull();
            Map<String, String> imports = clauses(header(b, "Import-Package"));
            imports.forEach((pkg, attrs) -> {
                if (pkg.startsWith("dev.vigil.")) {
                    assertThat(pkg).as("%s imports only API packages", b)
                            .isIn("dev.vigil.api", "dev.vigil.spi", "dev.vigil.spi.kernel");
                    Matcher m = RANGE.matcher(attrs);
                    assertThat(m.find()).as("%s imports %s with a range: %s", b, pkg, attrs).isTrue();
                    int floorMajor = Integer.parseInt(m.group(1));
                    int ceilMajor = Integer.parseInt(m.group(3));
                    int ceilMinor = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
                    assertThat(ceilMajor == floorMajor + 1 && ceilMinor == 0 || ceilMajor == floorMajor)
                            .as("%s imports %s within one major version: %s", b, pkg, attrs).isTrue();
                }
            });
        }
    }

    @Test
    void componentsAreDeclarativeServices_andTheRuntimePidHasMetatype() throws IOException {
        for (String b : BUNDLES) {
            if (!b.equals("vigil-api")) {
                assertThat(header(b, "Service-Component")).as("%s Service-Component", b).isNotBlank();
            }
        }
        try (JarFile jar = new JarFile(OsgiContainer.bundleJar("vigil-registry").toFile())) {
            assertThat(jar.getEntry("OSGI-INF/metatype/dev.vigil.runtime.xml")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/dev.vigil.spi.kernel.KernelProvider"))
                    .as("the plain-jar path stays").isNotNull();
        }
    }

    /**
     * DESIGN.md §4, last row, and §7: waiting notices, JFR events and JMX cost nothing on the guard
     * and ensure paths when nobody listens, because those paths cannot reach them. The bundles
     * that hold those paths import no JFR, JMX or OSGi log package, and no class of theirs names
     * JFR, JMX or {@code System.Logger} (what they report goes through the registry, off the hot
     * paths).
     */
    @Test
    void theGuardAndEnsureBundles_reachNoLoggingJfrOrJmx() throws IOException {
        List<String> forbidden = List.of("jdk/jfr/", "javax/management/", "java/lang/System$Logger",
                "org/osgi/service/log/");
        for (String b : List.of("vigil-guards", "vigil-threadstate")) {
            assertThat(clauses(header(b, "Import-Package")).keySet()).as("%s imports", b)
                    .noneMatch(pkg -> pkg.startsWith("jdk.jfr") || pkg.startsWith("javax.management")
                            || pkg.startsWith("org.osgi.service.log"));
            try (JarFile jar = new JarFile(OsgiContainer.bundleJar(b).toFile())) {
                List<String> classes = new ArrayList<>();
                jar.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> {
                    classes.add(e.getName());
                    try (InputStream in = jar.getInputStream(e)) {
                        // constant-pool names are modified UTF-8; these are ASCII, so Latin-1 finds them
                        String bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        for (String f : forbidden) {
                            assertThat(bytes).as("%s in %s names %s", e.getName(), b, f).doesNotContain(f);
                        }
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                });
                assertThat(classes).as("%s has classes", b).isNotEmpty();
            }
        }
    }

    private static String header(String bundle, String name) throws IOException {
        try (JarFile jar = new JarFile(OsgiContainer.bundleJar(bundle).toFile())) {
            Attributes a = jar.getManifest().getMainAttributes();
            return a.getValue(name);
        }
    }

    /** Splits a manifest header into package name and the rest of its clause (quotes respected). */
    static Map<String, String> clauses(String header) {
        Map<String, String> m = new LinkedHashMap<>();
        if (header == null) {
            return m;
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        for (String p : parts) {
            int semi = p.indexOf(';');
            m.put((semi < 0 ? p : p.substring(0, semi)).trim(), semi < 0 ? "" : p.substring(semi + 1));
        }
        return m;
    }
}
