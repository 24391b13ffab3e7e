package dev.vigil.engine.polyglot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;

/** Copies guest values into host values that stay valid after the thread detaches. */
final class HostCopy {

    /** Deeper structures are cut off (and cycles broken) here, as their string form. */
    private static final int MAX_DEPTH = 32;

    private HostCopy() {
    }

    static Object of(Value v) {
        return of(v, 0);
    }

    private static Object of(Value v, int depth) {
        if (v == null) {
            return null;
        }
        // commonest first: each Value query is a polyglot call (tens of ns, interpreted), so an
        // integral number (JS 2 and 2.0 alike) costs two, a string three
        if (v.fitsInLong()) {
            return v.asLong();
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNull()) {
            return null;
        }
        if (v.isHostObject()) {
            return v.asHostObject();
        }
        if (depth < MAX_DEPTH && v.hasArrayElements()) {
            List<Object> list = new ArrayList<>();
            for (long i = 0; i < v.getArraySize(); i++) {
                list.add(of(v.getArrayElement(i), depth + 1));
            }
            return list;
        }
        if (depth < MAX_DEPTH && v.hasHashEntries()) {
            Map<String, Object> map = new LinkedHashMap<>();
            Value it = v.getHashEntriesIterator();
            while (it.hasIteratorNextElement()) {
                Value entry = it.getIteratorNextElement();
                map.put(entry.getArrayElement(0).toString(), of(entry.getArrayElement(1), depth + 1));
            }
            return map;
        }
        if (depth < MAX_DEPTH && v.hasMembers() && !v.canExecute() && !v.isMetaObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key : v.getMemberKeys()) {
                map.put(key, of(v.getMember(key), depth + 1));
            }
            return map;
        }
        return v.toString();
    }
}
