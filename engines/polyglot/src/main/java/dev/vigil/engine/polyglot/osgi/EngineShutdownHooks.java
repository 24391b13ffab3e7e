package dev.vigil.engine.polyglot.osgi;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes the JVM shutdown hook GraalVM's {@code Engine} class registers when its first engine
 * is built ({@code Engine$EngineShutDownHook}, one per class loader that loaded {@code Engine}):
 * it holds the engine bundle's class loader for as long as the JVM runs, so that every update or
 * refresh of the bundle would keep the old one (about 15 MB of metaspace, measured). Called when
 * the bundle stops, after its engine is closed: the hook has nothing left to close.
 *
 * <p>Finding the hook needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (the JDK lists
 * shutdown hooks only privately); without it {@link #removeLoadedBy} throws and the old class
 * loader stays. Not thread-safe against a concurrent JVM shutdown, which makes the removal fail
 * with {@link IllegalStateException} (then nothing matters any more).
 */
final class EngineShutdownHooks {

    private EngineShutdownHooks() {
    }

    /**
     * Removes every registered shutdown hook whose task was loaded by {@code loader}; returns
     * how many.
     *
     * @throws ReflectiveOperationException if this JDK lays out shutdown hooks otherwise
     * @throws RuntimeException ({@code InaccessibleObjectException}) without the add-opens above
     */
    static int removeLoadedBy(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> registry = Class.forName("java.lang.ApplicationShutdownHooks");
        Field hooksField = registry.getDeclaredField("hooks");
        hooksField.setAccessible(true);
        List<Thread> ours = new ArrayList<>();
        synchronized (registry) { // its methods are static synchronized
            Map<?, ?> hooks = (Map<?, ?>) hooksField.get(null);
            if (hooks == null) {
                return 0; // the JVM is shutting down
            }
            for (Object k : hooks.keySet()) {
                Thread hook = (Thread) k;
                Object task = task(hook);
                if (task != null && task.getClass().getClassLoader() == loader) {
                    ours.add(hook);
                }
            }
        }
        for (Thread hook : ours) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return ours.size();
    }

    /** The Runnable a thread was made with: field {@code target} up to JDK 18, {@code holder.task} since. */
    private static Object task(Thread t) throws ReflectiveOperationException {
        try {
            Field target = Thread.class.getDeclaredField("target");
            target.setAccessible(true);
            return target.get(t);
        } catch (NoSuchFieldException newerJdk) {
            Field holderField = Thread.class.getDeclaredField("holder");
            holderField.setAccessible(true);
            Object holder = holderField.get(t);
            Field task = holder.getClass().getDeclaredField("task");
            task.setAccessible(true);
            return task.get(holder);
        }
    }
}
