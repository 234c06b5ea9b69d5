package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/*
 * The counters of every report are kept until the rules have seen them all: the memory cgroup
 * stats (a map of values and one of lines for each of a v1 report's three blocks) and the
 * Mem-Info counters, their lines and the page lines. As Map.copyOf each is a table of four slots
 * a key, and each value above 127 a Long of its own: about 1.3 KB a memcg report and 0.8 KB a
 * Mem-Info block. Here a map is its keys, sorted and shared by every map with the same keys, and
 * an array of its values (a long[] for counters); a Long or an entry is made when asked for.
 * Unmodifiable, without null keys or values, like Map.copyOf; it iterates in key order (Map.copyOf
 * iterates in an order that changes from run to run, so nothing can depend on it).
 */

/** Compact unmodifiable maps of String keys, for the counters the reports keep. */
final class Keyed {
  private static final int MAX_KEY_SETS = 1024;

  private static final ConcurrentHashMap<List<String>, String[]> KEY_SETS =
      new ConcurrentHashMap<>();

  private Keyed() {}

  /** The keys of {@code map}, sorted: one array for every map with these keys. */
  private static String[] keys(Map<String, ?> map) {
    String[] keys = map.keySet().toArray(new String[0]);
    for (int i = 0; i < keys.length; i++) {
      keys[i] = Names.of(requireNonNull(keys[i], "key"));
    }
    Arrays.sort(keys);
    List<String> set = List.of(keys);
    String[] kept = KEY_SETS.get(set);
    if (kept != null) {
      return kept;
    }
    if (KEY_SETS.size() < MAX_KEY_SETS) {
      kept = KEY_SETS.putIfAbsent(set, keys);
    }
    return kept == null ? keys : kept;
  }

  /** {@code map} as a compact unmodifiable map. */
  static <V> Map<String, V> of(Map<String, V> map) {
    if (map instanceof Values<?> || map.isEmpty()) {
      return map.isEmpty() ? Map.of() : map;
    }
    String[] keys = keys(map);
    Object[] values = new Object[keys.length];
    for (int i = 0; i < keys.length; i++) {
      values[i] = requireNonNull(map.get(keys[i]), "value");
    }
    return new Values<>(keys, values);
  }

  /** {@code map} as a compact unmodifiable map of counters. */
  static Map<String, Long> ofLongs(Map<String, Long> map) {
    if (map instanceof Longs || map.isEmpty()) {
      return map.isEmpty() ? Map.of() : map;
    }
    String[] keys = keys(map);
    long[] values = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      values[i] = requireNonNull(map.get(keys[i]), "value");
    }
    return new Longs(keys, values);
  }

  private abstract static class Base<V> extends AbstractMap<String, V> {
    final String[] keys;

    Base(String[] keys) {
      this.keys = keys;
    }

    abstract V value(int i);

    private int index(Object key) {
      return key instanceof String s ? Arrays.binarySearch(keys, s) : -1;
    }

    @Override
    public V get(Object key) {
      int i = index(key);
      return i < 0 ? null : value(i);
    }

    @Override
    public boolean containsKey(Object key) {
      return index(key) >= 0;
    }

    @Override
    public int size() {
      return keys.length;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, V>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < keys.length;
            }

            @Override
            public Entry<String, V> next() {
              if (next >= keys.length) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new SimpleImmutableEntry<>(keys[i], value(i));
            }
          };
        }

        @Override
        public int size() {
          return keys.length;
        }
      };
    }
  }

  private static final class Values<V> extends Base<V> {
    private final Object[] values;

    Values(String[] keys, Object[] values) {
      super(keys);
      this.values = values;
    }

    @Override
    @SuppressWarnings("unchecked")
    V value(int i) {
      return (V) values[i];
    }
  }

  private static final class Longs extends Base<Long> {
    private final long[] values;

    Longs(String[] keys, long[] values) {
      super(keys);
      this.values = values;
    }

    @Override
    Long value(int i) {
      return values[i];
    }
  }
}
