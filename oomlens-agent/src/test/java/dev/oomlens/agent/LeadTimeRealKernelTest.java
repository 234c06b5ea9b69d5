package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.oomlens.host.kmsg.KmsgReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lead-time test on the real kernel: a process leaking 0.5 MiB a second into a 64 MiB
 * cgroup is killed about two minutes later; TIME-TO-LIMIT must have fired at least 60 s before the
 * kill, with a forecast within 20% of the time that really remained. About 2 minutes.
 */
class LeadTimeRealKernelTest {
  @TempDir Path tmp;

  @Test
  void linearLeak_warnedAMinuteAhead_forecastWithin20Percent() throws Exception {
    Optional<String> whyNot =
        CgroupLab.whyNot()
            .or(
                () ->
                    Files.isExecutable(Path.of("/usr/bin/perl"))
                        ? Optional.empty()
                        : Optional.of("/usr/bin/perl is missing (the leaking process)"));
    assumeThat(whyNot).as("real-kernel test skipped: %s", whyNot.orElse("")).isEmpty();
    CgroupLab.Container c = CgroupLab.container();
    StringWriter log = new StringWriter();
    Agent agent =
        new Agent(
            new Agent.Options(
                tmp.resolve("h.db"),
                Optional.empty(),
                Duration.ofSeconds(5),
                HostPaths.DEFAULT,
                KmsgReader.DEVICE,
                Duration.ofDays(1),
                64L << 20,
                Warnings.Thresholds.DEFAULTS,
                Optional.empty()),
            Clock.systemUTC(),
            new PrintWriter(log));
    try (CgroupLab lab = new CgroupLab(tmp)) {
      Path cg = lab.cgroup(c.path(), 64L << 20);
      agent.start();
      Thread follower = Thread.ofPlatform().daemon().start(agent::run);
      // 0.5 MiB a second, touched so it is resident: a leak at a steady rate.
      Process leak =
          lab.start(
              cg,
              "/usr/bin/perl",
              "-e",
              "my @a; while (1) { push @a, 'x' x (512 * 1024); select(undef, undef, undef, 1.0) }");
      assertThat(leak.waitFor(240, TimeUnit.SECONDS)).as("the leak was killed").isTrue();
      long pid = leak.pid();
      KillRecord kill = await(agent, pid);
      agent.close();
      follower.join(5000);

      try (History h = History.openToRead(tmp.resolve("h.db"), Clock.systemUTC())) {
        List<WarningRecord> mine =
            h.warnings(Optional.empty()).stream()
                .filter(
                    w ->
                        w.code().equals("TIME-TO-LIMIT")
                            && w.cgroup().equals(Optional.of(c.path())))
                .toList();
        assertThat(mine).as("TIME-TO-LIMIT of %s; the agent said:%n%s", c.path(), log).hasSize(1);
        WarningRecord w = mine.getFirst();
        double remained = Duration.between(w.raisedAt(), kill.at()).toMillis() / 1000.0;
        double forecast = w.timeToLimitSeconds().getAsDouble();
        System.out.printf(
            "lead time: warned %.1f s before the kill, forecast %.1f s (%.0f%% off)%n",
            remained, forecast, 100 * Math.abs(forecast - remained) / remained);
        assertThat(remained)
            .as("seconds between the warning and the kill")
            .isGreaterThanOrEqualTo(60);
        assertThat(Math.abs(forecast - remained))
            .as("forecast %s s against %s s", forecast, remained)
            .isLessThanOrEqualTo(0.2 * remained);
      }
    } finally {
      agent.close();
    }
  }

  private static KillRecord await(Agent agent, long pid) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      Optional<KillRecord> k =
          agent.history().kills(Optional.empty()).stream()
              .filter(r -> r.victimPid().equals(java.util.OptionalLong.of(pid)))
              .findFirst();
      if (k.isPresent()) {
        return k.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the kill of " + pid + " was not stored within 10 s");
  }
}
