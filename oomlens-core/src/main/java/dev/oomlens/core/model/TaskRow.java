package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.OptionalLong;

/*
 * A class with a record's contract (the canonical constructor, accessors, equals, hashCode and
 * toString a record of these components would have), not a record: every row of every report is
 * kept until the rules have seen them all, 24 rows a report in a big log, and as record components
 * the optional columns were an OptionalLong object each (about a tenth of the live heap at 4 GiB).
 * Here they are plain longs with a bit saying which are present, and the OptionalLong is made when
 * a caller asks. hashCode is the one the record computed, so no iteration order moves.
 */

/**
 * One row of the task table ({@code dump_tasks}). Sizes in bytes: the kernel prints the memory
 * columns in pages (except {@code pgtables_bytes}), converted with the report's page size.
 *
 * <p>{@code rssAnonBytes}, {@code rssFileBytes} and {@code rssShmemBytes}: 6.8+ kernels only.
 * {@code pgtablesBytes}: 4.14+ kernels; older ones print {@code nr_ptes} ({@code nrPtesBytes}: the
 * page-table pages) and 4.0-4.13 also {@code nr_pmds} ({@code nrPmdsBytes}). {@code swapBytes}:
 * {@code swapents}, the task's pages out in swap.
 */
public final class TaskRow {
  private static final OptionalLong ZERO = OptionalLong.of(0);

  private static final int UID = 0;
  private static final int TGID = 1;
  private static final int RSS_ANON = 2;
  private static final int RSS_FILE = 3;
  private static final int RSS_SHMEM = 4;
  private static final int PGTABLES = 5;
  private static final int NR_PTES = 6;
  private static final int NR_PMDS = 7;
  private static final int SWAP = 8;

  private final long pid;
  private final long uid;
  private final long tgid;
  private final long totalVmBytes;
  private final long rssBytes;
  private final long rssAnonBytes;
  private final long rssFileBytes;
  private final long rssShmemBytes;
  private final long pgtablesBytes;
  private final long nrPtesBytes;
  private final long nrPmdsBytes;
  private final long swapBytes;
  private final int oomScoreAdj;
  private final String comm;
  private final SourceLine source;

  /** Which of the optional columns are present: bit {@code UID} for uid, and so on. */
  private final short present;

  public TaskRow(
      long pid,
      OptionalLong uid,
      OptionalLong tgid,
      long totalVmBytes,
      long rssBytes,
      OptionalLong rssAnonBytes,
      OptionalLong rssFileBytes,
      OptionalLong rssShmemBytes,
      OptionalLong pgtablesBytes,
      OptionalLong nrPtesBytes,
      OptionalLong nrPmdsBytes,
      OptionalLong swapBytes,
      int oomScoreAdj,
      String comm,
      SourceLine source) {
    requireNonNull(uid, "uid");
    requireNonNull(tgid, "tgid");
    requireNonNull(rssAnonBytes, "rssAnonBytes");
    requireNonNull(rssFileBytes, "rssFileBytes");
    requireNonNull(rssShmemBytes, "rssShmemBytes");
    requireNonNull(pgtablesBytes, "pgtablesBytes");
    requireNonNull(nrPtesBytes, "nrPtesBytes");
    requireNonNull(nrPmdsBytes, "nrPmdsBytes");
    requireNonNull(swapBytes, "swapBytes");
    requireNonNull(comm, "comm");
    requireNonNull(source, "source");
    this.pid = pid;
    this.uid = uid.orElse(0);
    this.tgid = tgid.orElse(0);
    this.totalVmBytes = totalVmBytes;
    this.rssBytes = rssBytes;
    this.rssAnonBytes = rssAnonBytes.orElse(0);
    this.rssFileBytes = rssFileBytes.orElse(0);
    this.rssShmemBytes = rssShmemBytes.orElse(0);
    this.pgtablesBytes = pgtablesBytes.orElse(0);
    this.nrPtesBytes = nrPtesBytes.orElse(0);
    this.nrPmdsBytes = nrPmdsBytes.orElse(0);
    this.swapBytes = swapBytes.orElse(0);
    this.oomScoreAdj = oomScoreAdj;
    this.comm = comm;
    this.source = source;
    this.present =
        (short)
            (bit(uid, UID)
                | bit(tgid, TGID)
                | bit(rssAnonBytes, RSS_ANON)
                | bit(rssFileBytes, RSS_FILE)
                | bit(rssShmemBytes, RSS_SHMEM)
                | bit(pgtablesBytes, PGTABLES)
                | bit(nrPtesBytes, NR_PTES)
                | bit(nrPmdsBytes, NR_PMDS)
                | bit(swapBytes, SWAP));
  }

  /** A row of a {@link TaskTable}: the columns as stored, {@code present} saying which are. */
  TaskRow(
      long pid,
      long uid,
      long tgid,
      long totalVmBytes,
      long rssBytes,
      long rssAnonBytes,
      long rssFileBytes,
      long rssShmemBytes,
      long pgtablesBytes,
      long nrPtesBytes,
      long nrPmdsBytes,
      long swapBytes,
      int oomScoreAdj,
      String comm,
      SourceLine source,
      short present) {
    this.pid = pid;
    this.uid = uid;
    this.tgid = tgid;
    this.totalVmBytes = totalVmBytes;
    this.rssBytes = rssBytes;
    this.rssAnonBytes = rssAnonBytes;
    this.rssFileBytes = rssFileBytes;
    this.rssShmemBytes = rssShmemBytes;
    this.pgtablesBytes = pgtablesBytes;
    this.nrPtesBytes = nrPtesBytes;
    this.nrPmdsBytes = nrPmdsBytes;
    this.swapBytes = swapBytes;
    this.oomScoreAdj = oomScoreAdj;
    this.comm = comm;
    this.source = source;
    this.present = present;
  }

  /** The numeric columns in the order of {@link TaskTable}'s: absent ones as 0. */
  long column(int which) {
    return switch (which) {
      case 0 -> pid;
      case 1 -> uid;
      case 2 -> tgid;
      case 3 -> totalVmBytes;
      case 4 -> rssBytes;
      case 5 -> rssAnonBytes;
      case 6 -> rssFileBytes;
      case 7 -> rssShmemBytes;
      case 8 -> pgtablesBytes;
      case 9 -> nrPtesBytes;
      case 10 -> nrPmdsBytes;
      case 11 -> swapBytes;
      case 12 -> oomScoreAdj;
      default -> throw new IndexOutOfBoundsException(which);
    };
  }

  short present() {
    return present;
  }

  private static int bit(OptionalLong value, int which) {
    return value.isPresent() ? 1 << which : 0;
  }

  private OptionalLong optional(int which, long value) {
    return (present & (1 << which)) == 0 ? OptionalLong.empty() : of(value);
  }

  private static OptionalLong of(long value) {
    return value == 0 ? ZERO : OptionalLong.of(value);
  }

  public long pid() {
    return pid;
  }

  public OptionalLong uid() {
    return optional(UID, uid);
  }

  public OptionalLong tgid() {
    return optional(TGID, tgid);
  }

  public long totalVmBytes() {
    return totalVmBytes;
  }

  public long rssBytes() {
    return rssBytes;
  }

  public OptionalLong rssAnonBytes() {
    return optional(RSS_ANON, rssAnonBytes);
  }

  public OptionalLong rssFileBytes() {
    return optional(RSS_FILE, rssFileBytes);
  }

  public OptionalLong rssShmemBytes() {
    return optional(RSS_SHMEM, rssShmemBytes);
  }

  public OptionalLong pgtablesBytes() {
    return optional(PGTABLES, pgtablesBytes);
  }

  public OptionalLong nrPtesBytes() {
    return optional(NR_PTES, nrPtesBytes);
  }

  public OptionalLong nrPmdsBytes() {
    return optional(NR_PMDS, nrPmdsBytes);
  }

  public OptionalLong swapBytes() {
    return optional(SWAP, swapBytes);
  }

  public int oomScoreAdj() {
    return oomScoreAdj;
  }

  public String comm() {
    return comm;
  }

  public SourceLine source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof TaskRow t
            && pid == t.pid
            && present == t.present
            && uid == t.uid
            && tgid == t.tgid
            && totalVmBytes == t.totalVmBytes
            && rssBytes == t.rssBytes
            && rssAnonBytes == t.rssAnonBytes
            && rssFileBytes == t.rssFileBytes
            && rssShmemBytes == t.rssShmemBytes
            && pgtablesBytes == t.pgtablesBytes
            && nrPtesBytes == t.nrPtesBytes
            && nrPmdsBytes == t.nrPmdsBytes
            && swapBytes == t.swapBytes
            && oomScoreAdj == t.oomScoreAdj
            && comm.equals(t.comm)
            && source.equals(t.source));
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(pid);
    h = 31 * h + uid().hashCode();
    h = 31 * h + tgid().hashCode();
    h = 31 * h + Long.hashCode(totalVmBytes);
    h = 31 * h + Long.hashCode(rssBytes);
    h = 31 * h + rssAnonBytes().hashCode();
    h = 31 * h + rssFileBytes().hashCode();
    h = 31 * h + rssShmemBytes().hashCode();
    h = 31 * h + pgtablesBytes().hashCode();
    h = 31 * h + nrPtesBytes().hashCode();
    h = 31 * h + nrPmdsBytes().hashCode();
    h = 31 * h + swapBytes().hashCode();
    h = 31 * h + Integer.hashCode(oomScoreAdj);
    h = 31 * h + Objects.hashCode(comm);
    return 31 * h + Objects.hashCode(source);
  }

  @Override
  public String toString() {
    return "TaskRow[pid="
        + pid
        + ", uid="
        + uid()
        + ", tgid="
        + tgid()
        + ", totalVmBytes="
        + totalVmBytes
        + ", rssBytes="
        + rssBytes
        + ", rssAnonBytes="
        + rssAnonBytes()
        + ", rssFileBytes="
        + rssFileBytes()
        + ", rssShmemBytes="
        + rssShmemBytes()
        + ", pgtablesBytes="
        + pgtablesBytes()
        + ", nrPtesBytes="
        + nrPtesBytes()
        + ", nrPmdsBytes="
        + nrPmdsBytes()
        + ", swapBytes="
        + swapBytes()
        + ", oomScoreAdj="
        + oomScoreAdj
        + ", comm="
        + comm
        + ", source="
        + source
        + "]";
  }
}
