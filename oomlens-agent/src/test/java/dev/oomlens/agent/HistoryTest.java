package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

  @TempDir Path tmp;

  static KillRecord kill(String boot, long seq, long pid) {
    return new KillRecord(
        boot,
        seq - 5,
        seq,
        seq + 1,
        T0.plusSeconds(seq),
        OptionalLong.of(pid),
        Optional.of("hog"),
        OptionalLong.of(16L << 20),
        Optional.of("/kubepods/pod1/c1"),
        "report",
        Optional.of("/kubepods/pod1/c1"),
        Verdict.LIMIT,
        Optional.of("1-2"),
        Optional.of("c1"),
        Optional.empty(),
        Optional.of("MEMCG-LIMIT"),
        "the container hit its limit",
        "3," + seq + ",1,-;Memory cgroup out of memory: Killed process " + pid + " (hog)\n",
        "{}");
  }

  @Test
  void addKill_sameKillTwice_storedOnce_cursorMovesWithIt() {
    try (History h = History.openForAgent(tmp.resolve("h.db"), CLOCK)) {
      h.boot("b1", T0.minusSeconds(100));
      assertThat(h.cursor("b1")).isEmpty();
      assertThat(h.addKill(kill("b1", 10, 100), 11)).isTrue();
      assertThat(h.addKill(kill("b1", 10, 100), 11)).isFalse();
      assertThat(h.addKill(kill("b2", 10, 100), 11)).as("same seq, other boot").isTrue();
      assertThat(h.cursor("b1")).hasValue(11);
      h.cursor("b1", 5);
      assertThat(h.cursor("b1")).as("never moves back").hasValue(11);
      assertThat(h.kills(Optional.empty())).hasSize(2);
      assertThat(h.kills(Optional.empty()).getFirst()).isEqualTo(kill("b1", 10, 100));
      assertThat(h.writable()).isTrue();
    }
  }

  @Test
  void reopened_keepsEverything_andTheBootTimeOfTheFirstRun() {
    Path db = tmp.resolve("h.db");
    try (History h = History.openForAgent(db, CLOCK)) {
      h.boot("b1", T0.minusSeconds(100));
      h.addKill(kill("b1", 10, 100), 11);
      long id =
          h.raiseWarning(
              new WarningRecord(
                  -1,
                  "TIME-TO-LIMIT",
                  Optional.of("/a"),
                  T0,
                  Optional.empty(),
                  OptionalDouble.of(95),
                  "grows",
                  "usage"));
      h.clearWarning(id, T0.plusSeconds(30));
    }
    try (History h = History.openForAgent(db, CLOCK)) {
      h.boot("b1", T0.minusSeconds(99));
      assertThat(h.boots()).containsEntry("b1", T0.minusSeconds(100));
      assertThat(h.cursor("b1")).hasValue(11);
      assertThat(h.warnings(Optional.empty()))
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.clearedAt()).hasValue(T0.plusSeconds(30));
                assertThat(w.timeToLimitSeconds()).hasValue(95);
              });
      assertThat(h.lastCgroupByComm(10)).containsEntry("hog", "/kubepods/pod1/c1");
    }
  }

  @Test
  void openForAgent_fileThatIsNotAHistory_movedAsideAndANewOneStarted() throws Exception {
    Path db = tmp.resolve("h.db");
    Files.writeString(db, "this is not a database, it is a note someone left here\n".repeat(100));
    try (History h = History.openForAgent(db, CLOCK)) {
      assertThat(h.notes())
          .singleElement()
          .asString()
          .contains(db + " is not a readable oomlens history")
          .contains("moved to " + db + ".corrupt-" + T0.toEpochMilli());
      assertThat(h.writable()).isTrue();
      assertThat(h.addKill(kill("b1", 10, 100), 11)).isTrue();
    }
    assertThat(Files.readString(tmp.resolve("h.db.corrupt-" + T0.toEpochMilli())))
        .startsWith("this is not a database");
  }

  @Test
  void openForAgent_anotherProgramsDatabase_movedAsideNotTouched() throws Exception {
    Path db = tmp.resolve("other.db");
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.createStatement().execute("CREATE TABLE accounts(id INTEGER)");
    }
    try (History h = History.openForAgent(db, CLOCK)) {
      assertThat(h.notes()).singleElement().asString().contains("another program");
    }
    assertThat(Files.exists(tmp.resolve("other.db.corrupt-" + T0.toEpochMilli()))).isTrue();
  }

  @Test
  void openForAgent_unwritableDirectory_keepsInMemory_thenWritesTheFileWhenItCan()
      throws Exception {
    // Root ignores permission bits: a path under a regular file cannot be created by anyone.
    Path blocked = Files.writeString(tmp.resolve("blocker"), "x").resolve("h.db");
    try (History h = History.openForAgent(blocked, CLOCK)) {
      assertThat(h.writable()).isFalse();
      assertThat(h.notes())
          .singleElement()
          .asString()
          .startsWith("cannot write " + blocked)
          .endsWith("kept in memory until the file can be written");
      h.boot("b1", T0);
      assertThat(h.addKill(kill("b1", 10, 100), 11)).isTrue();
      assertThat(h.retryFile(Duration.ofSeconds(30))).isFalse();

      Files.delete(tmp.resolve("blocker"));
      Files.createDirectory(tmp.resolve("blocker"));
      assertThat(h.retryFile(Duration.ofSeconds(30))).as("not before 30 s").isFalse();
    }
    Clock later = Clock.offset(CLOCK, Duration.ofSeconds(31));
    Path blocked2 = Files.writeString(tmp.resolve("blocker2"), "x").resolve("h.db");
    MutableClock clock = new MutableClock(T0);
    try (History h = History.openForAgent(blocked2, clock)) {
      h.boot("b1", T0);
      h.addKill(kill("b1", 10, 100), 11);
      Files.delete(tmp.resolve("blocker2"));
      Files.createDirectory(tmp.resolve("blocker2"));
      clock.now = later.instant();
      assertThat(h.retryFile(Duration.ofSeconds(30))).isTrue();
      assertThat(h.writable()).isTrue();
      assertThat(h.addKill(kill("b1", 20, 200), 21)).isTrue();
    }
    try (History h = History.openToRead(blocked2, CLOCK)) {
      assertThat(h.kills(Optional.empty()))
          .extracting(k -> k.victimPid().getAsLong())
          .containsExactly(100L, 200L);
      assertThat(h.cursor("b1")).hasValue(21);
    }
  }

  @Test
  void openToRead_missingOrNotAHistory_saysWhichFileAndWhy() throws Exception {
    assertThatThrownBy(() -> History.openToRead(tmp.resolve("none.db"), CLOCK))
        .isInstanceOf(History.HistoryException.class)
        .hasMessage("cannot read " + tmp.resolve("none.db") + ": No such file or directory");
    Path text = Files.writeString(tmp.resolve("notes.txt"), "hello\n".repeat(200));
    assertThatThrownBy(() -> History.openToRead(text, CLOCK))
        .hasMessageStartingWith(text + " is not an oomlens history: ");
    assertThat(Files.readString(text)).startsWith("hello");
  }

  @Test
  void retain_dropsWhatIsOlderThanTheAge() {
    MutableClock clock = new MutableClock(T0);
    try (History h = History.openForAgent(tmp.resolve("h.db"), clock)) {
      h.boot("b1", T0);
      h.addKill(kill("b1", 10, 100), 11);
      h.sample("/a", T0, 1, 2);
      clock.now = T0.plus(Duration.ofDays(8));
      h.sample("/a", clock.now, 1, 2);
      assertThat(h.retain(Duration.ofDays(7), 1L << 30)).isEqualTo(2);
      assertThat(h.kills(Optional.empty())).isEmpty();
    }
  }

  @Test
  void samples_readBackPerCgroupInTimeOrder_withinTheWindow() throws Exception {
    Path db = tmp.resolve("h.db");
    try (History h = History.openForAgent(db, CLOCK)) {
      h.sample("/b", T0.plusSeconds(120), 30, 100);
      h.sample("/a", T0.plusSeconds(60), 20, 100);
      h.sample("/a", T0, 10, 100);
      h.sample("/a", T0.plusSeconds(600), 99, 100);
    }
    java.util.List<History.CgroupSamples> read = new java.util.ArrayList<>();
    try (History h = History.openToRead(db, CLOCK)) {
      h.samples(T0, T0.plusSeconds(300), read::add);
    }
    assertThat(read).extracting(History.CgroupSamples::cgroup).containsExactly("/a", "/b");
    assertThat(read.get(0).atMillis())
        .containsExactly(T0.toEpochMilli(), T0.plusSeconds(60).toEpochMilli());
    assertThat(read.get(0).usageBytes()).containsExactly(10, 20);
    assertThat(read.get(1).limitBytes()).containsExactly(100);
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
