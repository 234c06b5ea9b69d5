package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.KillerEvent.Killer;
import java.io.ByteArrayInputStream;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The userspace killers' records come out of the same one-pass read as the kernel's reports. */
class KernelLogReaderKillersTest {

  // Killer lines as their projects print them (see KillerLogParser's sources), framed as
  // journalctl -o short prints them, between ordinary lines of other programs.
  private static final String SYSLOG =
      """
      Sep 10 21:54:20 gw systemd[1]: Started Session 4 of User alice.
      Sep 10 21:54:23 gw earlyoom[904]: mem avail:  1200 of 17518 MiB ( 6.85%), swap free: 13345 of 47119 MiB (28.32%)
      Sep 10 21:54:23 gw earlyoom[904]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%
      Sep 10 21:54:23 gw earlyoom[904]: sending SIGTERM to process 211447 uid 1000 "simple": badness 999, VmRSS 6318 MiB
      Sep 10 21:54:24 gw NetworkManager[700]: <info>  [1757541264.1] device (wlan0): state change
      Sep 10 21:54:26 gw earlyoom[904]: process 211447 exited after 2.9 seconds
      Sep 10 22:01:00 gw kubelet[3814]: I0910 22:01:00.212181    3814 eviction_manager.go:392] "Eviction manager: must evict pod(s) to reclaim" resourceName="memory"
      Sep 10 22:01:01 gw kubelet[3814]: I0910 22:01:01.001200    3814 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/batch-7c9f"
      Sep 10 22:05:00 gw systemd[1]: nixos-upgrade.service: A process of this unit has been killed by the OOM killer.
      Sep 10 22:05:00 gw systemd[1]: nixos-upgrade.service: Failed with result 'oom-kill'.
      Sep 10 22:06:00 gw sshd[5000]: Accepted publickey for alice from 10.0.0.2 port 52000
      """;

  @Test
  void read_syslogWithKillers_handsEachRecordWithItsLine() {
    ReportTestLines.Collected sink = new ReportTestLines.Collected();

    new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)))
        .read("syslog", new ByteArrayInputStream(SYSLOG.getBytes(UTF_8)), sink);
    List<KillerEvent> events = sink.killerEvents;

    assertThat(events)
        .extracting(KillerEvent::killer)
        .contains(Killer.EARLYOOM, Killer.KUBELET_EVICTION, Killer.SYSTEMD_UNIT_RESULT);
    assertThat(events)
        .filteredOn(e -> e.killer() == Killer.EARLYOOM)
        .first()
        .satisfies(
            e -> {
              assertThat(e.pid()).hasValue(211447);
              assertThat(e.source().line()).isEqualTo(4);
              assertThat(e.source().text()).contains("sending SIGTERM to process 211447");
            });
    assertThat(events)
        .filteredOn(e -> e.killer() == Killer.SYSTEMD_UNIT_RESULT)
        .allSatisfy(e -> assertThat(e.unit()).contains("nixos-upgrade.service"));
    assertThat(events)
        .allSatisfy(
            e ->
                assertThat(SYSLOG.lines().toList().get((int) e.source().line() - 1))
                    .isEqualTo(e.source().text()));
  }
}
