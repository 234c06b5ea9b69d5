package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.KillerEvent.Action;
import dev.oomlens.core.host.KillerEvent.Killer;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class KillerLogParserTest {
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 11, 23));
  private static final long MIB = 1024 * 1024;

  private static List<KillerEvent> parse(String text) {
    return KillerLogParser.parse(text, "journal.txt", OPTIONS);
  }

  @Test
  void parse_systemdOomdPressureKillAndTheUnitRecord() {
    List<KillerEvent> e =
        parse(
            """
        Dec 17 10:04:41 laptop systemd-oomd[588]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 57.97% > 50.00% for > 20s with reclaim activity
        Dec 17 10:04:42 laptop systemd[1565]: vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope: systemd-oomd killed 3 process(es) in this unit.
        """);

    assertThat(e).hasSize(2);
    KillerEvent kill = e.get(0);
    assertThat(kill.killer()).isEqualTo(Killer.SYSTEMD_OOMD);
    assertThat(kill.action()).isEqualTo(Action.KILL);
    assertThat(kill.host()).contains("laptop");
    assertThat(kill.unit())
        .contains(
            "/user.slice/user-1000.slice/user@1000.service/app.slice/"
                + "app-org.gnome.Terminal.slice/vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope");
    assertThat(kill.reason())
        .contains(
            "memory pressure for /user.slice/user-1000.slice/"
                + "user@1000.service being 57.97% > 50.00% for > 20s with reclaim activity");
    assertThat(kill.time().wallclock()).contains("2025-12-17T10:04:41");
    assertThat(kill.source().line()).isEqualTo(1);
    KillerEvent unit = e.get(1);
    assertThat(unit.action()).isEqualTo(Action.UNIT_KILLED_BY_OOMD);
    assertThat(unit.unit()).contains("vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope");
    assertThat(unit.reason()).contains("3 process(es)");
  }

  @Test
  void parse_systemdOomdSwapKill_newerMarkedWording() {
    List<KillerEvent> e =
        parse(
            """
        2026-09-10T19:46:58+0000 ws systemd-oomd[726]: Marked /user.slice/user-1000.slice/user@1000.service/app.slice/app-Hyprland-xdg\\x2dterminal\\x2dexec-ea541d95.scope for killing due to memory used (16260780032) / total (16419115008) and swap used (29560922112) / total (32838500352) being more than 90.00%
        """);

    assertThat(e)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.killer()).isEqualTo(Killer.SYSTEMD_OOMD);
              assertThat(k.unit().orElseThrow()).endsWith("exec-ea541d95.scope");
              assertThat(k.reason().orElseThrow()).startsWith("memory used (16260780032)");
            });
  }

  @Test
  void parse_earlyoomTermThenKill() {
    List<KillerEvent> e =
        parse(
            """
        Sep 10 21:54:23 gw earlyoom[904]: mem avail:  1200 of 17518 MiB ( 6.85%), swap free: 13345 of 47119 MiB (28.32%)
        Sep 10 21:54:23 gw earlyoom[904]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%
        Sep 10 21:54:23 gw earlyoom[904]: sending SIGTERM to process 211447 uid 1000 "simple": badness 999, VmRSS 6318 MiB
        Sep 10 21:54:26 gw earlyoom[904]: escalating to SIGKILL after 2.8 seconds
        Sep 10 21:54:26 gw earlyoom[904]: process 211447 exited after 2.9 seconds
        """);

    assertThat(e).hasSize(2);
    assertThat(e.get(0).killer()).isEqualTo(Killer.EARLYOOM);
    assertThat(e.get(0).action()).isEqualTo(Action.TERMINATE);
    assertThat(e.get(0).pid()).hasValue(211447);
    assertThat(e.get(0).comm()).contains("simple");
    assertThat(e.get(0).rssBytes()).hasValue(6318 * MIB);
    assertThat(e.get(0).reason()).contains("at or below SIGTERM limits: mem 10.00%, swap 10.00%");
    assertThat(e.get(1).action()).isEqualTo(Action.KILL);
    assertThat(e.get(1).pid()).hasValue(211447);
    assertThat(e.get(1).source().line()).isEqualTo(4);
  }

  @Test
  void parse_earlyoomNewerFieldsQuotedNameAndFailedKill() {
    List<KillerEvent> e =
        parse(
            """
        earlyoom[454]: sending SIGKILL to process 2232050 uid 1000 "bun": oom_score 712, oom_score_adj 0, VmRSS 4514 MiB, cmdline "bun test --timeout 60000 ./src"
        earlyoom[454]: sending SIGTERM to process 1985588 uid 1000 "(sd-pam)": badness 733, VmRSS 3 MiB
        earlyoom[454]: kill failed: Operation not permitted
        """);

    assertThat(e)
        .extracting(KillerEvent::action)
        .containsExactly(Action.KILL, Action.TERMINATE, Action.KILL_FAILED);
    assertThat(e.get(0).comm()).contains("bun");
    assertThat(e.get(0).rssBytes()).hasValue(4514 * MIB);
    assertThat(e.get(1).comm()).contains("(sd-pam)");
    assertThat(e.get(2).pid()).hasValue(1985588);
    assertThat(e.get(2).reason()).contains("Operation not permitted");
  }

  @Test
  void parse_earlyoomSelfTestSignalIsNotAKill() {
    assertThat(
            parse(
                "earlyoom[1]: sending 0 (no-op signal) to process 1 uid 0 \"x\": badness 0,"
                    + " VmRSS 1 MiB\n"))
        .isEmpty();
  }

  @Test
  void parse_nohangNamesTheVictimOnEarlierLines() {
    List<KillerEvent> e =
        parse(
            """
        Mar 02 11:00:01 desk nohang[733]: Memory status that requires corrective actions:
        Mar 02 11:00:01 desk nohang[733]:   MemAvailable [112 MiB, 1.4 %] <= hard_threshold_min_mem [157 MiB, 2.0 %]
        Mar 02 11:00:01 desk nohang[733]: Process with highest badness (found in 12ms):
        Mar 02 11:00:01 desk nohang[733]:   PID: 4021, Name: firefox, badness: 873
        Mar 02 11:00:01 desk nohang[733]: Victim status (found in 3ms):
        Mar 02 11:00:01 desk nohang[733]:   PID:       4021, name: firefox, state: S (sleeping), EUID: 1000, SID: 1822 (gnome-session-b), lifetime: 1h 2min
        Mar 02 11:00:01 desk nohang[733]:   badness:   873, oom_score:  873, oom_score_adj:  0
        Mar 02 11:00:01 desk nohang[733]:   Vm, MiB:   Size: 9012, RSS: 5120 (Anon: 4900, File: 200, Shmem: 20), Swap: 0
        Mar 02 11:00:01 desk nohang[733]: Implementing a corrective action:
        Mar 02 11:00:01 desk nohang[733]:   Sending SIGKILL to the victim
        Mar 02 11:00:01 desk nohang[733]: OK; total response time: 31ms
        Mar 02 11:00:01 desk nohang[733]: The victim died in 0.041s
        """);

    assertThat(e)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.killer()).isEqualTo(Killer.NOHANG);
              assertThat(k.action()).isEqualTo(Action.KILL);
              assertThat(k.pid()).hasValue(4021);
              assertThat(k.comm()).contains("firefox");
              assertThat(k.rssBytes()).hasValue(5120 * MIB);
              assertThat(k.reason().orElseThrow()).startsWith("MemAvailable [112 MiB, 1.4 %]");
              assertThat(k.source().line()).isEqualTo(10);
            });
  }

  @Test
  void parse_nohangVersion01_victimAndSignalLines() {
    List<KillerEvent> e =
        parse(
            """
        nohang[80]:   Victim is chrome, pid: 901, badness: 640, VmRSS: 2210 MiB, VmSwap: 12 MiB
        nohang[80]:   Sending SIGTERM to the victim; OK
        """);

    assertThat(e)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.action()).isEqualTo(Action.TERMINATE);
              assertThat(k.pid()).hasValue(901);
              assertThat(k.comm()).contains("chrome");
              assertThat(k.rssBytes()).hasValue(2210 * MIB);
            });
  }

  @Test
  void parse_kubeletStructuredEviction_oncePerPodWithTheResource() {
    List<KillerEvent> e =
        parse(
            """
        Jun 17 16:18:42 node-1 kubelet[3814]: I0617 16:18:42.080925    3814 eviction_manager.go:381] "Eviction manager: attempting to reclaim" resourceName="memory"
        Jun 17 16:18:42 node-1 kubelet[3814]: I0617 16:18:42.212181    3814 eviction_manager.go:392] "Eviction manager: must evict pod(s) to reclaim" resourceName="memory"
        Jun 17 16:18:42 node-1 kubelet[3814]: I0617 16:18:42.212966    3814 eviction_manager.go:410] "Eviction manager: pods ranked for eviction" pods=["default/batch-7c9f","kube-system/kube-proxy-f94hx"]
        Jun 17 16:18:43 node-1 kubelet[3814]: I0617 16:18:43.001200    3814 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/batch-7c9f"
        Jun 17 16:18:43 node-1 kubelet[3814]: I0617 16:18:43.001240    3814 eviction_manager.go:205] "Eviction manager: pods evicted, waiting for pod to be cleaned up" pods=["default/batch-7c9f"]
        """);

    assertThat(e)
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.killer()).isEqualTo(Killer.KUBELET_EVICTION);
              assertThat(k.action()).isEqualTo(Action.EVICT);
              assertThat(k.unit()).contains("default/batch-7c9f");
              assertThat(k.reason()).contains("memory");
              assertThat(k.host()).contains("node-1");
            });
  }

  @Test
  void parse_kubeletGlogEvictionAndEventMessage() {
    List<KillerEvent> e =
        parse(
            """
        Oct 16 09:50:55 k8s-3 kubelet[17144]: W1016 09:50:55.056703 17144 eviction_manager.go:331] eviction manager: attempting to reclaim memory
        Oct 16 09:50:56 k8s-3 kubelet[17144]: I1016 09:50:56.101010 17144 eviction_manager.go:570] eviction manager: pod web-5d8f_shop(6c1e2d9a-1b2c-4d5e-8f90-123456789abc) is evicted successfully
        Evicted pod/cache-0 The node was low on resource: memory. Threshold quantity: 100Mi, available: 81468Ki.
        """);

    assertThat(e).hasSize(2);
    assertThat(e.get(0).unit()).contains("shop/web-5d8f");
    assertThat(e.get(0).reason()).contains("memory");
    assertThat(e.get(1).unit()).contains("cache-0");
    assertThat(e.get(1).reason()).contains("memory");
  }

  @Test
  void parse_kubeletDiskEviction_keepsItsResource() {
    List<KillerEvent> e =
        parse(
            """
        I0308 00:29:47.496864   24749 eviction_manager.go:338] "Eviction manager: attempting to reclaim" resourceName="ephemeral-storage"
        I0308 00:29:48.000001   24749 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/mysql"
        """);

    assertThat(e)
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).contains("ephemeral-storage"));
  }

  @Test
  void parse_systemdUnitResults() {
    List<KillerEvent> e =
        parse(
            """
        Sep 23 14:09:18 ip-172-31-16-253 systemd[1]: erigon.service: A process of this unit has been killed by the OOM killer.
        Sep 23 14:09:19 ip-172-31-16-253 systemd[1]: erigon.service: Main process exited, code=killed, status=9/KILL
        Sep 23 14:09:19 ip-172-31-16-253 systemd[1]: erigon.service: Failed with result 'oom-kill'.
        Sep 23 14:09:19 ip-172-31-16-253 systemd[1]: erigon.service: Consumed 2h 1min 3.112s CPU time.
        """);

    assertThat(e)
        .extracting(KillerEvent::action)
        .containsExactly(Action.UNIT_OOM_KILL, Action.UNIT_SIGNAL_EXIT, Action.UNIT_OOM_RESULT);
    assertThat(e)
        .allSatisfy(
            k -> {
              assertThat(k.killer()).isEqualTo(Killer.SYSTEMD_UNIT_RESULT);
              assertThat(k.unit()).contains("erigon.service");
            });
    assertThat(e.get(1).reason()).contains("9/KILL");
  }

  @Test
  void parse_kernelAndOrdinaryLines_giveNothing() {
    assertThat(
            parse(
                """
        Nov 23 17:18:30 vm kernel: Out of memory: Killed process 17697 (python3) total-vm:118352kB, anon-rss:62400kB
        Nov 23 17:18:30 vm kernel: Memory cgroup out of memory: Killed process 17654 (python3)
        Nov 23 17:18:31 vm systemd[1]: Started session-4.scope - Session 4 of User root.
        Nov 23 17:18:31 vm systemd[1]: Killing process 2234090 (zsh) with signal SIGKILL.
        """))
        .isEmpty();
  }
}
