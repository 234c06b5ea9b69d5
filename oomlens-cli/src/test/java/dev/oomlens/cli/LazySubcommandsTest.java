package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.host.paths.HostPaths;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The jar's main registers only the subcommand its arguments name: whatever a run prints and
 * returns must not depend on that, and every subcommand must be reachable by its own name.
 */
class LazySubcommandsTest {
  private static final Environment ENV =
      new Environment(
          InputStream.nullInputStream(),
          Clock.systemUTC(),
          HostPaths.under(Path.of("lazy-subcommands-read-no-host")),
          CliTest.unreadable("k"),
          CliTest.unreadable("j"),
          CliTest.unreadable("u"));

  @Test
  void theNamesAreThoseTheCommandsDeclare() {
    CommandLine whole = Main.commandLine(new OomlensCommand(ENV));
    assertThat(whole.getSubcommands().keySet())
        .containsExactlyElementsOf(
            concat(List.copyOf(OomlensCommand.SUBCOMMANDS.keySet()), List.of("help")));
  }

  @Test
  void oneSubcommandRegisteredOrAllPrintTheSame() {
    for (String name : OomlensCommand.SUBCOMMANDS.keySet()) {
      for (List<String> args :
          List.of(
              List.of(name, "--help"),
              List.of("--debug", name, "--help"),
              List.of(name, "--no-such-option"),
              List.of(name, "a", "b", "c", "d"))) {
        String[] a = args.toArray(String[]::new);
        CommandLine lazy = Main.commandLine(new OomlensCommand(ENV), a);
        assertThat(lazy.getSubcommands().keySet()).as("%s", args).containsExactly(name);
        assertThat(run(lazy, a))
            .as("%s", args)
            .isEqualTo(run(Main.commandLine(new OomlensCommand(ENV)), a));
      }
    }
  }

  @Test
  void anythingElseGetsTheWholeTree() {
    for (List<String> args :
        List.of(
            List.<String>of(),
            List.of("--help"),
            List.of("--version", "doctor"),
            List.of("help", "doctor"),
            List.of("diagnos", "x"),
            List.of("-h", "doctor"))) {
      assertThat(
              Main.commandLine(new OomlensCommand(ENV), args.toArray(String[]::new))
                  .getSubcommands())
          .as("%s", args)
          .hasSize(OomlensCommand.SUBCOMMANDS.size() + 1);
    }
  }

  @Test
  void theVersionAloneGetsNoSubcommandAndPrintsTheSame() {
    for (List<String> args :
        List.of(List.of("--version"), List.of("-V"), List.of("--debug", "--version"))) {
      String[] a = args.toArray(String[]::new);
      CommandLine lazy = Main.commandLine(new OomlensCommand(ENV), a);
      assertThat(lazy.getSubcommands()).as("%s", args).isEmpty();
      assertThat(run(lazy, a))
          .as("%s", args)
          .isEqualTo(run(Main.commandLine(new OomlensCommand(ENV)), a));
    }
  }

  private static String run(CommandLine cmd, String[] args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return code + "\n" + out + "\n---\n" + err;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
