package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * A value derived from the whole of an {@link EvidenceSet} (every workload's kill series, the
 * incident of each report), computed at most once per evidence set however many analyzers, and
 * however many reports within one, ask for it.
 *
 * <p>Declare one as a constant and ask it for the value of the evidence at hand:
 *
 * {@snippet :
 * private static final Derived<List<KillSeries>> SERIES =
 *     Derived.of(e -> KillSeries.of(e.reports()));
 *
 * for (KillSeries s : SERIES.get(evidence)) { ... }
 * }
 *
 * <p>The function must depend on the evidence alone (analyzers are pure), and the value must not be
 * changed by those it is handed to: every caller sees the same object. Each {@code Derived} is its
 * own key, compared by identity, so two constants with the same function are computed twice.
 *
 * @param <T> the value's type
 */
public final class Derived<T> {
  private final Function<EvidenceSet, ? extends T> function;

  private Derived(Function<EvidenceSet, ? extends T> function) {
    this.function = requireNonNull(function, "function");
  }

  /** A value computed by {@code function} from an evidence set, once per set. */
  public static <T> Derived<T> of(Function<EvidenceSet, ? extends T> function) {
    return new Derived<>(function);
  }

  /** The value for {@code evidence}: computed on the first call for it, the same object after. */
  public T get(EvidenceSet evidence) {
    return evidence.derived(this);
  }

  T compute(EvidenceSet evidence) {
    return function.apply(evidence);
  }

  @SuppressWarnings("unchecked") // only ever stored under this key by derived(), as a T
  T cast(Object value) {
    return (T) value;
  }
}
