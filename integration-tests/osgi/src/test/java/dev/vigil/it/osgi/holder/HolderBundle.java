package dev.vigil.it.osgi.holder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Packs {@link HolderActivator} into a bundle jar with a hand-written manifest. */
public final class HolderBundle {

    /** The test bundle's symbolic name: the owner its guards must carry. */
    public static final String SYMBOLIC_NAME = "dev.vigil.it.holder";

    private HolderBundle() {
    }

    /** Writes the bundle to {@code dir} and returns its path. */
    public static Path write(Path dir) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", SYMBOLIC_NAME);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", HolderActivator.class.getName());
        a.putValue("Import-Package", "dev.vigil.api;version=\"[1.0,2)\",org.osgi.framework;version=\"[1.8,2)\"");
        Path jar = dir.resolve(SYMBOLIC_NAME + ".jar");
        String entry = HolderActivator.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jos = new JarOutputStream(out, mf);
                InputStream cls = HolderActivator.class.getClassLoader().getResourceAsStream(entry)) {
            jos.putNextEntry(new JarEntry(entry));
            cls.transferTo(jos);
            jos.closeEntry();
        }
        return jar;
    }
}
