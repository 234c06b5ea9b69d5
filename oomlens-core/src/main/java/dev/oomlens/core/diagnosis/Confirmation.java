package dev.oomlens.core.diagnosis;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.rules.EvidenceSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/*
 * "Nothing was killed" is a claim about every input that could have recorded a kill: it holds
 * only when each kernel log was read whole. An input that could not be opened, a gzip cut short or
 * a binary file leaves the answer unknown; kills found elsewhere still stand, but the count is
 * then a floor ("at least").
 */

/**
 * The first rung of the ladder: whether an OOM kill is on record, by whom, and how sure that is
 * given which inputs could be read.
 *
 * @param kernelKills reports in which the kernel killed a process
 * @param reportsWithoutKill reports without a kill (a panic, nothing killable, the kill line
 *     missing)
 * @param userspaceKills kills and evictions by userspace killers, by killer name
 * @param kernelLogs the kernel-log inputs, read or not, in reading order
 * @param unreadable the inputs of any kind that could not be read whole
 * @param selection what was selected ({@code of pod UID X, since T}); empty for everything
 * @param unplaced reports kept although the window could not be checked: their log carries no
 *     wall-clock time and the boot time is unknown
 */
public record Confirmation(
    State state,
    long kernelKills,
    long reportsWithoutKill,
    Map<String, Long> userspaceKills,
    List<Input> kernelLogs,
    List<Input> unreadable,
    String selection,
    long unplaced) {
  /** What can be said. */
  public enum State {
    /** Kills are on record (and, when some input could not be read, there may be more). */
    KILLS,
    /** Every kernel log was read whole and none holds a kill, nor do the killers' records. */
    NONE,
    /** No kill was found, but a kernel log could not be read (or none was): nothing is known. */
    UNKNOWN
  }

  /** The killer actions that are kills (or evictions) done by userspace, not records of them. */
  public static final Set<KillerEvent.Action> USERSPACE_KILLS =
      Collections.unmodifiableSet(
          EnumSet.of(
              KillerEvent.Action.KILL,
              KillerEvent.Action.EVICT,
              KillerEvent.Action.UNIT_KILLED_BY_OOMD));

  public Confirmation {
    requireNonNull(state, "state");
    userspaceKills = Collections.unmodifiableMap(new TreeMap<>(userspaceKills));
    kernelLogs = List.copyOf(kernelLogs);
    unreadable = List.copyOf(unreadable);
    requireNonNull(selection, "selection");
  }

  /** What {@code evidence}, all of it, confirms. */
  public static Confirmation of(EvidenceSet evidence) {
    return of(evidence, Selection.ALL, 0);
  }

  /** What {@code evidence} confirms, having been narrowed to {@code selection}. */
  public static Confirmation of(EvidenceSet evidence, Selection selection, long unplaced) {
    long kills = evidence.reports().stream().filter(r -> r.victim().isPresent()).count();
    long noKill = evidence.reports().size() - kills;
    Map<String, Long> byKiller = new TreeMap<>();
    for (KillerEvent k : evidence.killers()) {
      if (USERSPACE_KILLS.contains(k.action())) {
        byKiller.merge(k.killer().jsonName(), 1L, Long::sum);
      }
    }
    List<Input> unreadable = evidence.inputs().stream().filter(i -> !i.isWhole()).toList();
    boolean anything = kills + noKill > 0 || !byKiller.isEmpty();
    State state = anything ? State.KILLS : evidence.kernelLogWhole() ? State.NONE : State.UNKNOWN;
    return new Confirmation(
        state,
        kills,
        noKill,
        byKiller,
        evidence.inputs(Input.Kind.KERNEL_LOG),
        unreadable,
        selection.describe(),
        unplaced);
  }

  /** Kills by userspace killers, all killers together. */
  public long userspaceKillCount() {
    return userspaceKills.values().stream().mapToLong(Long::longValue).sum();
  }

  /** True when some kernel log could not be read whole: counts are a floor, absences unknown. */
  public boolean partial() {
    return unreadable.stream().anyMatch(i -> i.kind() == Input.Kind.KERNEL_LOG);
  }
}
