package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLibraryTest {
  @TempDir Path tmp;

  @Test
  void install_copiesOnce_thenReusesTheSameFile() throws IOException {
    Path dir = SqliteLibrary.dirBeside(tmp.resolve("oomlens.db"));
    assertThat(dir).isEqualTo(tmp.resolve("oomlens-native"));
    SqliteLibrary.Resource r = SqliteLibrary.resource().orElseThrow();

    Path lib = SqliteLibrary.install(dir).orElseThrow();
    assertThat(lib.getParent()).isEqualTo(dir);
    assertThat(lib.getFileName().toString()).startsWith("libsqlitejdbc-").endsWith(".so");
    assertThat(Files.size(lib)).isEqualTo(r.sizeBytes());
    try (var in = r.url().openStream()) {
      assertThat(Files.readAllBytes(lib)).isEqualTo(in.readAllBytes());
    }
    Object key = Files.readAttributes(lib, BasicFileAttributes.class).fileKey();

    assertThat(SqliteLibrary.install(dir)).hasValue(lib);
    assertThat(Files.readAttributes(lib, BasicFileAttributes.class).fileKey())
        .as("not written again")
        .isEqualTo(key);
    try (var files = Files.list(dir)) {
      assertThat(files).as("no partial copies left").containsExactly(lib);
    }
  }

  @Test
  void install_cutShortCopy_isReplaced() throws IOException {
    Path dir = tmp.resolve(SqliteLibrary.DIR);
    Files.createDirectories(dir);
    Path lib = dir.resolve(SqliteLibrary.resource().orElseThrow().fileName());
    Files.writeString(lib, "\u007fELF cut short", StandardCharsets.US_ASCII);

    assertThat(SqliteLibrary.install(dir)).hasValue(lib);
    assertThat(Files.size(lib)).isEqualTo(SqliteLibrary.resource().orElseThrow().sizeBytes());
  }

  @Test
  void install_directoryCannotBeMade_leavesTheDefault() throws IOException {
    Path notADir = tmp.resolve("file");
    Files.writeString(notADir, "x");
    assertThat(SqliteLibrary.install(notADir.resolve(SqliteLibrary.DIR))).isEmpty();
  }

  @Test
  void existing_neverWrites() {
    Path dir = tmp.resolve(SqliteLibrary.DIR);
    assertThat(SqliteLibrary.existing(dir)).isEmpty();
    assertThat(dir).doesNotExist();
    Path lib = SqliteLibrary.install(dir).orElseThrow();
    assertThat(SqliteLibrary.existing(dir)).hasValue(lib);
  }

  /** A JVM of its own (sqlite-jdbc loads its library once per JVM): the history maps that file. */
  @Test
  void openForAgent_loadsTheLibraryBesideTheHistory_notFromTmp() throws Exception {
    Path db = tmp.resolve("state").resolve("oomlens.db");
    Path javaTmp = Files.createDirectories(tmp.resolve("java-tmp"));
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + javaTmp,
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    OpenAndPrintMaps.class.getName(),
                    db.toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Path lib = SqliteLibrary.existing(db.resolveSibling(SqliteLibrary.DIR)).orElseThrow();
    assertThat(out).as("mapped from beside the history").contains(lib.toString());
    try (var files = Files.list(javaTmp)) {
      assertThat(files).as("nothing extracted to java.io.tmpdir").isEmpty();
    }
  }

  /** Opens a history and prints this process's mappings. */
  public static final class OpenAndPrintMaps {
    private OpenAndPrintMaps() {}

    public static void main(String[] args) throws IOException {
      try (History h = History.openForAgent(Path.of(args[0]), Clock.systemUTC())) {
        h.notes().forEach(System.out::println);
        System.out.println(Files.readString(Path.of("/proc/self/maps")));
      }
    }
  }
}
