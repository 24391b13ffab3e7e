package dev.vigil.guards;

/**
 * 64 bytes of padding before the fields of a subclass (a superclass's fields are laid out
 * first), so that the fields of an object written on every guard open and close never share a
 * cache line with the fields of the object before it in memory, wherever the GC copies them.
 * See {@link Ledger}'s overview.
 */
@SuppressWarnings("unused")
abstract class Padded {
    /**
     * Fills the 4 bytes between a 12-byte object header and the first long, where the JVM
     * would otherwise put a subclass's int or reference field (UseEmptySlotsInSupers).
     */
    private int p;
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}
