package dev.vigil.registry;

import dev.vigil.api.GuardInfo;
import dev.vigil.api.WaitCycle;
import dev.vigil.api.WaitCycle.Link;
import dev.vigil.api.WaitCycle.WaitKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The wait-for graph of the process (DESIGN.md §5): which thread waits, on what, in which
 * runtime, so that a wait that closes a cycle is found and named as it starts, as the JDK's
 * thread dump finds a monitor deadlock. Thread-safe.
 */
final class WaitGraph {

    /*
     * Implementation notes
     *
     * Nodes are the slow-path waits of Vigil, one per thread at a time: a shutdown waiting in
     * Finalization.await (on guard holders, non-daemon threads or its hook runner), a thread
     * joining another thread's shutdown of an interpreter (F4), a late attach parked (P2c).
     * A node's edges are computed when asked, from live state (the guard directory's open
     * guards and their holders, the interpreter's threads, the attempt's finalizer thread);
     * nothing is recorded on the guard and ensure paths, so detection costs them nothing.
     *
     * Invariant: a cycle is found by the wait that closes it. Every member of a cycle is
     * waiting, and a waiting thread opens no guard and starts no thread; so the last edge of a
     * cycle to appear is the out-edge of the last member to start waiting, and that member's
     * enter() — which registers it and searches from it in one step under the graph's lock —
     * sees every other member already registered. Two waits starting at once are serialised
     * by the lock, so the second finds the cycle the first could not yet see. A wait that
     * re-decides searches again (find), so later members' facts stay current.
     *
     * The graph is process-wide, keyed by thread, so that a cycle across two runtimes of one
     * JVM is found too; a node lives only while its wait does (removed in a finally), so
     * nothing outlives the runtime or bundle that made it.
     */

    /** A wait of one thread. */
    abstract static class Node {
        final Thread thread = Thread.currentThread();
        /** When the wait began: the youngest shutdown of a cycle is its victim. */
        final long since = System.nanoTime();

        abstract WaitKind kind();

        abstract InterpreterRecord interpreter();

        /** The ids of the threads whose progress this wait needs, each with the guards it waits on there. */
        abstract Map<Long, List<GuardInfo>> waitsOn();

        /**
         * Told that a wait which started after this one closed a cycle through it: a shutdown's
         * wait wakes to re-decide with the cycle, a join is refused; nothing for other waits.
         */
        void cycleFound() {
        }
    }

    private static final Map<Long, Node> WAITING = new ConcurrentHashMap<>();
    private static final Object LOCK = new Object();

    private WaitGraph() {
    }

    /**
     * Registers {@code node} for its thread and returns the cycle its wait closes, if any, as
     * seen from it; the other shutdowns of that cycle are woken to re-decide.
     */
    static Optional<WaitCycle> enter(Node node) {
        Optional<WaitCycle> cycle;
        List<Node> members = new ArrayList<>();
        synchronized (LOCK) {
            WAITING.put(node.thread.getId(), node);
            cycle = search(node, members);
        }
        // A join that closes a cycle refuses itself; one closed by another wait refuses the
        // youngest join of the cycle, if any: one refused join breaks the cycle, so no more.
        Node join = null;
        if (node.kind() != WaitKind.JOINS_SHUTDOWN) {
            for (Node m : members) {
                if (m.kind() == WaitKind.JOINS_SHUTDOWN && (join == null || m.since - join.since > 0)) {
                    join = m;
                }
            }
        }
        for (Node m : members) {
            if (m != node && (m.kind() != WaitKind.JOINS_SHUTDOWN || m == join)) {
                m.cycleFound();
            }
        }
        return cycle;
    }

    /** Unregisters {@code node} (its wait ended). */
    static void leave(Node node) {
        WAITING.remove(node.thread.getId(), node);
    }

    /** The cycle through {@code node}'s wait now, if any, as seen from it. */
    static Optional<WaitCycle> find(Node node) {
        synchronized (LOCK) {
            return search(node, new ArrayList<>());
        }
    }

    /** Depth-first search for a path of waits from {@code start} back to it; fills {@code members}. */
    private static Optional<WaitCycle> search(Node start, List<Node> members) {
        List<Node> path = new ArrayList<>();
        List<List<GuardInfo>> via = new ArrayList<>();
        if (!dfs(start, start, path, via, new HashSet<>())) {
            return Optional.empty();
        }
        members.addAll(path);
        List<Link> links = new ArrayList<>(path.size());
        int victim = -1;
        for (int i = 0; i < path.size(); i++) {
            Node n = path.get(i);
            InterpreterRecord r = n.interpreter();
            Link l = new Link(n.thread.getId(), n.thread.getName(), n.kind(), r.id(), r.name(), via.get(i));
            links.add(l);
            if (l.isShutdown() && (victim < 0 || younger(n, path.get(victim)))) {
                victim = i;
            }
        }
        return Optional.of(new WaitCycle(links, victim));
    }

    private static boolean younger(Node a, Node b) {
        return a.since - b.since > 0 || (a.since == b.since && a.thread.getId() > b.thread.getId());
    }

    private static boolean dfs(Node start, Node at, List<Node> path, List<List<GuardInfo>> via, Set<Long> seen) {
        path.add(at);
        seen.add(at.thread.getId());
        for (Map.Entry<Long, List<GuardInfo>> e : at.waitsOn().entrySet()) {
            via.add(e.getValue());
            if (e.getKey() == start.thread.getId()) {
                return true;
            }
            Node next = WAITING.get(e.getKey());
            if (next != null && !seen.contains(e.getKey()) && dfs(start, next, path, via, seen)) {
                return true;
            }
            via.remove(via.size() - 1);
        }
        path.remove(path.size() - 1);
        return false;
    }
}
