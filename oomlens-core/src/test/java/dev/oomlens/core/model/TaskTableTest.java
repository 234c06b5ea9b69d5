package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TaskTableTest {
  private static TaskRow row(long pid, long rssBytes, OptionalLong swap, int adj, String comm) {
    return new TaskRow(
        pid,
        OptionalLong.of(1000),
        OptionalLong.of(pid),
        rssBytes * 3,
        rssBytes,
        OptionalLong.of(rssBytes / 2),
        OptionalLong.empty(),
        OptionalLong.of(0),
        OptionalLong.of(8192),
        OptionalLong.empty(),
        OptionalLong.empty(),
        swap,
        adj,
        comm,
        new SourceLine("kern.log", pid, "[ " + pid + "] " + comm));
  }

  @Test
  void everyRowComesBackEqualWithItsHashAndInOrder() {
    List<TaskRow> rows = new ArrayList<>();
    rows.add(row(1, 4096L * 12, OptionalLong.of(0), -1000, "systemd"));
    // Beyond an int even in pages, odd: a column of longs.
    rows.add(row(2, (1L << 45) + 1, OptionalLong.empty(), 999, "hog"));
    rows.add(row(3, 4096L * 7, OptionalLong.of(4096L * 1_000_000), 0, "java"));
    rows.add(row(Integer.MAX_VALUE + 5L, 0, OptionalLong.of(0), -17, "big pid"));

    List<TaskRow> table = TaskTable.of(rows);

    assertThat(table).isNotSameAs(rows).hasSize(4);
    assertThat(table).containsExactlyElementsOf(rows);
    assertThat(table).isEqualTo(rows);
    assertThat(table.hashCode()).isEqualTo(List.copyOf(rows).hashCode());
    for (int i = 0; i < rows.size(); i++) {
      TaskRow got = table.get(i);
      assertThat(got.hashCode()).isEqualTo(rows.get(i).hashCode());
      assertThat(got.toString()).isEqualTo(rows.get(i).toString());
      assertThat(got.swapBytes()).isEqualTo(rows.get(i).swapBytes());
      assertThat(got.rssFileBytes()).isEmpty();
    }
  }

  @Test
  void aTableStaysATableAndNothingIsEmptyList() {
    List<TaskRow> table = TaskTable.of(List.of(row(7, 4096, OptionalLong.empty(), 0, "a")));
    assertThat(TaskTable.of(table)).isSameAs(table);
    assertThat(TaskTable.of(List.of())).isEqualTo(List.of());
  }

  @Test
  void isUnmodifiableAndChecksItsIndexAndElements() {
    List<TaskRow> table = TaskTable.of(List.of(row(7, 4096, OptionalLong.empty(), 0, "a")));
    assertThatThrownBy(() -> table.add(row(8, 4096, OptionalLong.empty(), 0, "b")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> table.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
    List<TaskRow> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> TaskTable.of(withNull)).isInstanceOf(NullPointerException.class);
  }
}
