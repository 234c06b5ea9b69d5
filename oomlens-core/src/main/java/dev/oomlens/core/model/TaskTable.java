package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/*
 * Every report's task table is kept until the rules have seen them all: 23.5 rows a report in a
 * big log, 128 bytes a TaskRow and a slot in a list. Here a table is columns: a column whose values
 * share trailing zero bits (sizes are pages times the page size) and then fit in an int is an int[]
 * of the values shifted right, a column of zeros (or absent) is nothing at all, any other a long[].
 * About 50 bytes a row instead of 132. A row is made again on each get: rows of one table are told
 * apart by equals (each has its own line), not by identity.
 */

/** A report's task table, in printed order, kept as columns; unmodifiable. */
final class TaskTable extends AbstractList<TaskRow> implements RandomAccess {
  /** pid, uid, tgid, the nine sizes in TaskRow's order, oom_score_adj: see TaskRow.column. */
  private static final int COLUMNS = 13;

  private static final int OOM_SCORE_ADJ = 12;

  /** Per column: null (every value 0), an int[] of the values shifted right, or a long[]. */
  private final Object[] columns;

  private final byte[] shifts;

  /** The rows' presence masks: one for all rows when they agree ({@code presents} null). */
  private final short present;

  private final short[] presents;
  private final String[] comms;
  private final SourceLine[] sources;

  private TaskTable(List<TaskRow> rows) {
    int n = rows.size();
    TaskRow[] a = new TaskRow[n];
    for (int i = 0; i < n; i++) {
      a[i] = requireNonNull(rows.get(i), "tasks");
    }
    columns = new Object[COLUMNS];
    shifts = new byte[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
      pack(a, c);
    }
    short first = a[0].present();
    boolean same = true;
    comms = new String[n];
    sources = new SourceLine[n];
    for (int i = 0; i < n; i++) {
      same &= a[i].present() == first;
      comms[i] = a[i].comm();
      sources[i] = a[i].source();
    }
    present = first;
    if (same) {
      presents = null;
    } else {
      presents = new short[n];
      for (int i = 0; i < n; i++) {
        presents[i] = a[i].present();
      }
    }
  }

  /** {@code rows} as a table; a table as it is, an empty list as {@link List#of()}. */
  static List<TaskRow> of(List<TaskRow> rows) {
    if (rows instanceof TaskTable t) {
      return t;
    }
    return rows.isEmpty() ? List.of() : new TaskTable(rows);
  }

  private void pack(TaskRow[] rows, int c) {
    long bits = 0;
    for (TaskRow r : rows) {
      bits |= r.column(c);
    }
    if (bits == 0) {
      return;
    }
    int shift = Long.numberOfTrailingZeros(bits);
    boolean fits = true;
    for (TaskRow r : rows) {
      long v = r.column(c) >> shift;
      fits &= v == (int) v;
    }
    if (fits) {
      int[] ints = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        ints[i] = (int) (rows[i].column(c) >> shift);
      }
      columns[c] = ints;
      shifts[c] = (byte) shift;
    } else {
      long[] longs = new long[rows.length];
      for (int i = 0; i < rows.length; i++) {
        longs[i] = rows[i].column(c);
      }
      columns[c] = longs;
    }
  }

  private long value(int c, int row) {
    Object column = columns[c];
    if (column == null) {
      return 0;
    }
    return column instanceof int[] ints ? (long) ints[row] << shifts[c] : ((long[]) column)[row];
  }

  @Override
  public TaskRow get(int index) {
    // Checked first: a column of zeros has no array to check the index against.
    if (index < 0 || index >= comms.length) {
      throw new IndexOutOfBoundsException(index);
    }
    return new TaskRow(
        value(0, index),
        value(1, index),
        value(2, index),
        value(3, index),
        value(4, index),
        value(5, index),
        value(6, index),
        value(7, index),
        value(8, index),
        value(9, index),
        value(10, index),
        value(11, index),
        (int) value(OOM_SCORE_ADJ, index),
        comms[index],
        sources[index],
        presents == null ? present : presents[index]);
  }

  @Override
  public int size() {
    return comms.length;
  }
}
