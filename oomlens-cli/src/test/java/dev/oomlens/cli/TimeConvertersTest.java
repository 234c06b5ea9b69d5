package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A bad {@code --year} or {@code --reference-date} is one plain sentence and exit 2. */
class TimeConvertersTest {
  @TempDir static Path dir;

  static Path quiet;

  @BeforeAll
  static void files() throws IOException {
    quiet =
        Files.writeString(
            dir.resolve("quiet.log"), "[    0.000000] Linux version 6.8.0-45-generic\n");
  }

  static List<Arguments> badDates() {
    return List.of(
        Arguments.of(
            "--reference-date",
            "2024-13-45",
            "oomlens: --reference-date: '2024-13-45' is not a date; give YYYY-MM-DD,"
                + " e.g. 2024-03-01"),
        Arguments.of(
            "--reference-date",
            "yesterday",
            "oomlens: --reference-date: 'yesterday' is not a date; give YYYY-MM-DD,"
                + " e.g. 2024-03-01"),
        Arguments.of(
            "--reference-date",
            "2024-02-30",
            "oomlens: --reference-date: '2024-02-30' is not a date; give YYYY-MM-DD,"
                + " e.g. 2024-03-01"),
        Arguments.of(
            "--reference-date",
            "1900-01-01",
            "oomlens: --reference-date: '1900-01-01' is not between 1970-01-01 and 9999-12-31"),
        Arguments.of(
            "--year",
            "99999999999",
            "oomlens: --year: '99999999999' is not a year between 1970 and 9999"),
        Arguments.of(
            "--year", "1900", "oomlens: --year: '1900' is not a year between 1970 and 9999"),
        Arguments.of(
            "--year", "abc", "oomlens: --year: 'abc' is not a year; give four digits, e.g. 2024"),
        Arguments.of("--year", "-5", "oomlens: --year: '-5' is not a year between 1970 and 9999"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badDates")
  void diagnose_badDate_isOnePlainSentenceAndExit2(String option, String value, String message) {
    for (String command : List.of("diagnose", "doctor")) {
      List<String> args =
          command.equals("diagnose")
              ? List.of(command, option, value, quiet.toString())
              : List.of(command, option, value, "--kernel-log", quiet.toString());

      CliTest.Run r = CliTest.run(args.toArray(String[]::new));

      assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .isEqualTo(message + "\nTry 'oomlens " + command + " --help' for more information.\n");
    }
  }

  @Test
  void diagnose_goodDates_stillWork() {
    assertThat(CliTest.run("diagnose", "--reference-date", "2024-03-01", quiet.toString()).code())
        .isZero();
    assertThat(CliTest.run("diagnose", "--year", "2023", quiet.toString()).code()).isZero();
  }
}
