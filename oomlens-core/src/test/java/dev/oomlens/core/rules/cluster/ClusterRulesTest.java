package dev.oomlens.core.rules.cluster;

import static dev.oomlens.core.rules.cluster.Cluster.c;
import static dev.oomlens.core.rules.cluster.Cluster.lastTerminated;
import static dev.oomlens.core.rules.cluster.Cluster.running;
import static dev.oomlens.core.rules.cluster.Cluster.withEnv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.ObjectField;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.core.rules.analyzers.BallooningAnalyzerAccess;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each cluster rule: positive, negative and near-miss, on clusters built for it. */
class ClusterRulesTest {
  private static final ObjectRef DS = ObjectRef.of("DaemonSet", "metallb-system", "speaker");
  private static final ObjectRef DEPLOY = ObjectRef.of("Deployment", "shop", "checkout");

  private static List<Finding> run(Analyzer a, EvidenceSet e) {
    return a.analyze(e);
  }

  private static List<String> fields(Finding f) {
    return f.evidence().stream()
        .filter(c -> c instanceof ObjectField)
        .map(Citation::describe)
        .toList();
  }

  private static List<Long> newLimits(Finding f) {
    return f.fixes().stream()
        .map(Fix::limit)
        .flatMap(Optional::stream)
        .map(LimitChange::newBytes)
        .toList();
  }

  @Nested
  class OomKilled {
    private final OomKilledAnalyzer rule = new OomKilledAnalyzer();

    @Test
    void daemonSetKilledOnTwoNodes_isOneFindingNamingBoth() {
      Cluster c =
          new Cluster()
              .node("a", 2048)
              .node("b", 2048)
              .pod(
                  "metallb-system",
                  "speaker-1",
                  "a",
                  DS,
                  "Running",
                  List.of(c(0, "frr", 0, 0)),
                  List.of(lastTerminated(0, "frr", "OOMKilled", 137, 7)))
              .pod(
                  "metallb-system",
                  "speaker-2",
                  "b",
                  DS,
                  "Running",
                  List.of(c(0, "frr", 0, 0)),
                  List.of(lastTerminated(0, "frr", "OOMKilled", 137, 2)))
              .usage("metallb-system", "speaker-1", "frr", 100);
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary())
                    .startsWith(
                        "DaemonSet metallb-system/speaker container frr was"
                            + " OOMKilled in 2 pods with no memory limit");
                assertThat(f.reasoning())
                    .contains("speaker-1 on a", "speaker-2 on b", "9 restarts");
                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                assertThat(newLimits(f)).containsExactly(150 * Cluster.MI);
              });
    }

    @Test
    void killedAtItsLimit_raisesIt() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "web-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(lastTerminated(0, "web", "OOMKilled", 137, 1)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary()).contains("at its 512Mi limit");
                assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                assertThat(newLimits(f)).containsExactly(768 * Cluster.MI);
                assertThat(f.fixes().getFirst().snippet().orElseThrow())
                    .contains("kubectl -n shop patch deployment checkout");
              });
    }

    @Test
    void memoryTmpfs_survivesRestarts_isSaidWithASizeLimit() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "ci",
                  "build-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(Cluster.withTmpfs(c(0, "build", 256, 512), "scratch", "/tmp")),
                  List.of(lastTerminated(0, "build", "OOMKilled", 137, 5)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.reasoning())
                    .contains(
                        "memory-backed emptyDir (scratch at /tmp)",
                        "survives the container's restarts",
                        "(5 restarts)");
                assertThat(f.fixes())
                    .anyMatch(
                        x ->
                            x.snippet()
                                .orElse("")
                                .contains(
                                    "- name: scratch\n"
                                        + "  emptyDir:\n    medium: Memory\n    sizeLimit: 256Mi"));
              });
    }

    @Test
    void nearMiss_exit137WithoutTheReason_isNotAnOomKill() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "web-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(lastTerminated(0, "web", "Error", 137, 1)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void negative_nothingTerminated() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "web-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(running(0, "web")));
      assertThat(run(rule, c.evidence())).isEmpty();
    }
  }

  @Nested
  class SystemOom {
    private final SystemOomAnalyzer rule = new SystemOomAnalyzer();

    @Test
    void kubeletEvents_nameTheNodeAndTheVictims() {
      Cluster c =
          new Cluster()
              .node("srv", 1229)
              .event("srv", "SystemOOM", "System OOM encountered, victim process: zebra, pid: 2211")
              .event("srv", "SystemOOM", "System OOM encountered, victim process: bgpd, pid: 2214")
              .pod("metallb-system", "speaker-1", "srv", List.of(c(0, "frr", 0, 0)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary())
                    .startsWith("Node srv ran out of memory: the kernel killed zebra," + " bgpd");
                assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(f.reasoning()).contains("metallb-system/speaker-1 frr");
                assertThat(f.fixes()).anyMatch(x -> x.action().contains("kube-reserved 308Mi"));
              });
    }

    @Test
    void nearMiss_npdEventOfAContainerAtItsOwnLimit_isNotCounted() {
      Cluster c =
          new Cluster()
              .node("srv", 2048)
              .event(
                  "srv",
                  "OOMKilling",
                  "Memory cgroup out"
                      + " of memory: Killed process 4242 (java) total-vm:4000000kB, anon-rss:500000kB");
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void npdEventOfTheWholeNode_counts() {
      Cluster c =
          new Cluster()
              .node("srv", 2048)
              .event(
                  "srv",
                  "OOMKilling",
                  "Out of memory:"
                      + " Killed process 4242 (bgpd) total-vm:400000kB, anon-rss:50000kB");
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.summary()).contains("killed bgpd"));
    }

    @Test
    void kubeReserved_followsGkeTiers() {
      assertThat(SystemOomAnalyzer.kubeReserved(4L << 30)).isEqualTo(1L << 30);
      assertThat(SystemOomAnalyzer.kubeReserved(8L << 30))
          .isEqualTo((1L << 30) + (long) ((4L << 30) * 0.20));
    }
  }

  @Nested
  class NoLimit {
    private final NoLimitAnalyzer rule = new NoLimitAnalyzer();

    @Test
    void daemonSetInASystemNamespace_isHighWithNumbersFromUse() {
      Cluster c =
          new Cluster()
              .node("a", 2048)
              .pod(
                  "metallb-system",
                  "speaker-1",
                  "a",
                  DS,
                  "Running",
                  List.of(c(0, "speaker", 0, 0), c(1, "frr", 0, 0)),
                  List.of())
              .usage("metallb-system", "speaker-1", "frr", 100);
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                assertThat(f.summary())
                    .isEqualTo(
                        "DaemonSet metallb-system/speaker: speaker, frr without"
                            + " a memory limit (DaemonSet, on every node)");
                assertThat(newLimits(f)).containsExactly(150 * Cluster.MI);
                // speaker has neither use nor request: no number, how to measure instead
                assertThat(f.fixes())
                    .anyMatch(
                        x ->
                            x.limit().isEmpty()
                                && x.snippet()
                                    .orElseThrow()
                                    .contains("kubectl top pod --containers"));
              });
    }

    @Test
    void requestOnly_isAStartingPoint() {
      Cluster c =
          new Cluster().template("Deployment", "apps", "web", null, List.of(c(0, "web", 100, 0)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.severity()).isEqualTo(Severity.LOW);
                assertThat(newLimits(f)).containsExactly(200 * Cluster.MI);
                assertThat(f.fixes().getFirst().action()).contains("a starting point");
              });
    }

    @Test
    void nearMiss_manifestInANamespaceWithADefaultLimit_isNotTold_podsStillAre() {
      Cluster manifest =
          new Cluster()
              .defaultLimit("apps", 512)
              .template("Deployment", "apps", "web", null, List.of(c(0, "web", 100, 0)));
      assertThat(run(rule, manifest.evidence())).isEmpty();
      Cluster pods =
          new Cluster()
              .defaultLimit("apps", 512)
              .node("a", 2048)
              .pod("apps", "web-1", "a", List.of(c(0, "web", 100, 0)));
      assertThat(run(rule, pods.evidence())).hasSize(1);
    }

    @Test
    void negative_everyContainerLimited() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "apps",
                  "web",
                  null,
                  List.of(c(0, "web", 100, 200), c(1, "proxy", 50, 100)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void nearMiss_sidecarBesideALimitedApp_isToldBySidecarNoLimitInstead() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "apps",
                  "web",
                  null,
                  List.of(c(0, "web", 100, 200), c(1, "proxy", 50, 0)));
      assertThat(run(rule, c.evidence())).isEmpty();
      assertThat(run(new SidecarNoLimitAnalyzer(), c.evidence()))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.summary())
                      .isEqualTo(
                          "Deployment apps/web: sidecar proxy"
                              + " has no memory limit beside web's 200Mi"));
    }
  }

  @Nested
  class SidecarNoLimit {
    private final SidecarNoLimitAnalyzer rule = new SidecarNoLimitAnalyzer();

    @Test
    void negative_appUnlimitedToo_isNoLimitsFinding() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "apps",
                  "web",
                  null,
                  List.of(c(0, "web", 100, 0), c(1, "proxy", 50, 0)));
      assertThat(run(rule, c.evidence())).isEmpty();
      assertThat(run(new NoLimitAnalyzer(), c.evidence())).hasSize(1);
    }

    @Test
    void withUse_limitsTheSidecar() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "checkout-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "checkout", 1024, 1024), c(1, "istio-proxy", 128, 0)),
                  List.of())
              .usage("shop", "checkout-1", "istio-proxy", 100);
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(newLimits(f)).containsExactly(150 * Cluster.MI));
    }
  }

  @Nested
  class NodeOvercommit {
    private final NodeOvercommitAnalyzer rule = new NodeOvercommitAnalyzer();

    @Test
    void limitsAt148Percent_isHigh() {
      Cluster c =
          new Cluster()
              .node("r0", 516)
              .pod("apps", "ha-0", "r0", List.of(c(0, "ha", 256, 512)))
              .pod("apps", "mq-0", "r0", List.of(c(0, "mq", 64, 252)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary())
                    .isEqualTo(
                        "Node r0 is overcommitted: limits 148% of allocatable"
                            + " (764Mi of 516Mi)");
                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                assertThat(fields(f))
                    .contains(
                        "Pod apps/ha-0 spec.containers[0].resources.limits.memory:" + " 512Mi");
              });
    }

    @Test
    void nearMiss_limitsExactlyAllocatable_isSilent() {
      Cluster c =
          new Cluster().node("r0", 512).pod("apps", "ha-0", "r0", List.of(c(0, "ha", 256, 512)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void negative_finishedPodsDoNotCount() {
      Cluster c =
          new Cluster()
              .node("r0", 512)
              .pod(
                  "apps",
                  "job-1",
                  "r0",
                  null,
                  "Succeeded",
                  List.of(c(0, "job", 256, 1024)),
                  List.of());
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void slightlyOver_isMedium() {
      Cluster c =
          new Cluster().node("r1", 550).pod("apps", "nc", "r1", List.of(c(0, "nc", 256, 600)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.MEDIUM));
    }
  }

  @Nested
  class DeadNode {
    private final DeadNodeAnalyzer rule = new DeadNodeAnalyzer();

    @Test
    void goneNodeHoldingVolumes_namesThePendingPods() {
      Cluster c =
          new Cluster()
              .node("a", 2048)
              .volume("pv-1", "gone", "monitoring", "db-prom-0")
              .pod(
                  "monitoring",
                  "prom-0",
                  null,
                  null,
                  "Pending",
                  List.of(c(0, "prom", 200, 400)),
                  List.of(),
                  "db-prom-0");
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary())
                    .isEqualTo(
                        "Node gone is gone but holds 1 PersistentVolume whose"
                            + " node affinity requires it, 1 claim bound there; 1 pods Pending on it");
                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                assertThat(f.fixes().getFirst().snippet().orElseThrow())
                    .contains(
                        "kubectl delete pvc db-prom-0 -n monitoring",
                        "kubectl patch pv pv-1 -p '{\"metadata\":{\"finalizers\":null}}'")
                    .doesNotContain("kubectl delete node");
              });
    }

    @Test
    void notReadyNodeWithPods_isMedium() {
      Cluster c =
          new Cluster()
              .node("a", 2048, false, Map.of())
              .pod("apps", "web", "a", List.of(c(0, "web", 10, 20)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                assertThat(f.fixes().getFirst().snippet().orElseThrow())
                    .contains("kubectl delete node a");
              });
    }

    @Test
    void nearMiss_noNodeListRead_proveNothingGone() {
      Cluster c = new Cluster().volume("pv-1", "gone", "monitoring", "db-prom-0");
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void negative_readyNodes() {
      Cluster c =
          new Cluster()
              .node("a", 2048)
              .volume("pv-1", "a", "monitoring", "db")
              .pod("apps", "web", "a", List.of(c(0, "web", 10, 20)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }
  }

  @Nested
  class PriorityClassReserved {
    private final PriorityClassReservedAnalyzer rule = new PriorityClassReservedAnalyzer();

    @Test
    void classAndPodsNamingIt_oneFinding() {
      Cluster c =
          new Cluster()
              .priorityClass("system-infrastructure")
              .template(
                  "DaemonSet",
                  "metallb-system",
                  "speaker",
                  "system-infrastructure",
                  List.of(c(0, "speaker", 10, 20)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(fields(f))
                    .containsExactly(
                        "PriorityClass system-infrastructure metadata.name: system-infrastructure",
                        "DaemonSet metallb-system/speaker spec.template.spec.priorityClassName:"
                            + " system-infrastructure");
                assertThat(f.fixes().getFirst().snippet().orElseThrow())
                    .contains("name: infrastructure-priority");
              });
    }

    @Test
    void nearMiss_builtInClasses_areAllowed() {
      Cluster c =
          new Cluster()
              .priorityClass("system-node-critical")
              .priorityClass("system-cluster-critical")
              .priorityClass("infrastructure");
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void fluxMessage_alone_isEnough() {
      Cluster c =
          new Cluster()
              .flux(
                  "Kustomization",
                  "flux-system",
                  "infra",
                  "False",
                  "PriorityClass.scheduling.k8s.io \"system-infra\" is invalid: metadata.name: Invalid"
                      + " value: \"system-infra\": name must not start with 'system-'");
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.summary()).startsWith("PriorityClass system-infra "));
    }
  }

  @Nested
  class FluxBlocked {
    private final FluxBlockedAnalyzer rule = new FluxBlockedAnalyzer();

    @Test
    void chain_rootHoldsBackItsDependents() {
      Cluster c =
          new Cluster()
              .flux("HelmRelease", "metallb-system", "metallb", "False", "upgrade failed")
              .flux(
                  "Kustomization",
                  "flux-system",
                  "infra",
                  "False",
                  "health check failed: [HelmRelease/metallb-system/metallb status: 'Failed']")
              .flux(
                  "Kustomization",
                  "flux-system",
                  "apps",
                  "False",
                  "dependency 'flux-system/infra' is not ready");
      List<Finding> out = run(rule, c.evidence());
      assertThat(out)
          .extracting(Finding::summary)
          .containsExactly("HelmRelease metallb-system/metallb is failing and blocks 2 others");
    }

    @Test
    void nearMiss_readyOrUnknown_isSilent() {
      Cluster c =
          new Cluster()
              .flux("Kustomization", "flux-system", "apps", "True", "Applied revision")
              .flux(
                  "Kustomization", "flux-system", "infra", "Unknown", "Reconciliation in progress");
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void failingAlone_isMedium() {
      Cluster c =
          new Cluster()
              .flux("Kustomization", "flux-system", "apps", "False", "kustomize build failed");
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.MEDIUM));
    }
  }

  @Nested
  class NoHeadroom {
    private final NoHeadroomAnalyzer rule = new NoHeadroomAnalyzer();

    @Test
    void ninetyTwoPercent_raisesFromUse() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod("payments", "ledger-0", "a", List.of(c(0, "ledger", 512, 512)))
              .usage("payments", "ledger-0", "ledger", 470);
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary()).contains("92% of its 512Mi limit");
                assertThat(newLimits(f)).containsExactly(705 * Cluster.MI);
              });
    }

    @Test
    void nearMiss_eightyFivePercentBurstable_isSilent_guaranteedIsLow() {
      Cluster burstable =
          new Cluster()
              .node("a", 4096)
              .pod("p", "x", "a", List.of(c(0, "x", 256, 512)))
              .usage("p", "x", "x", 435);
      assertThat(run(rule, burstable.evidence())).isEmpty();
      Cluster guaranteed =
          new Cluster()
              .node("a", 4096)
              .pod("p", "x", "a", List.of(c(0, "x", 512, 512)))
              .usage("p", "x", "x", 435);
      assertThat(run(rule, guaranteed.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));
    }

    @Test
    void negative_noMetrics() {
      Cluster c = new Cluster().node("a", 4096).pod("p", "x", "a", List.of(c(0, "x", 512, 512)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }
  }

  @Nested
  class JvmHeapVsLimit {
    private final JvmHeapVsLimitAnalyzer rule = new JvmHeapVsLimitAnalyzer();

    @Test
    void xmxEqualToLimit_isHigh() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "shop",
                  "checkout",
                  null,
                  List.of(c(0, "checkout", 1024, 1024, "java", "-Xmx1g", "-jar", "app.jar")));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                assertThat(f.summary()).contains("-Xmx 1024Mi is 100% of its 1024Mi limit");
                assertThat(newLimits(f)).containsExactly(1463 * Cluster.MI);
              });
    }

    @Test
    void lastOptionWins_javaToolOptionsThenCommandLine() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "shop",
                  "checkout",
                  null,
                  List.of(
                      withEnv(
                          c(0, "checkout", 1024, 1024, "java", "-Xmx512m", "-jar", "a.jar"),
                          "JAVA_TOOL_OPTIONS",
                          "-Xmx2g")));
      assertThat(run(rule, c.evidence())).isEmpty();
      assertThat(JvmHeapVsLimitAnalyzer.xmx(List.of("-Xmx2g", "-Xmx512m"))).hasValue(512L << 20);
    }

    @Test
    void nearMiss_seventyFivePercent_isFine_noBoundIsLow() {
      Cluster fine =
          new Cluster()
              .template(
                  "Deployment",
                  "a",
                  "b",
                  null,
                  List.of(c(0, "b", 1024, 1024, "java", "-Xmx768m", "-jar", "b.jar")));
      assertThat(run(rule, fine.evidence())).isEmpty();
      Cluster unbound =
          new Cluster()
              .template(
                  "Deployment",
                  "a",
                  "b",
                  null,
                  List.of(c(0, "b", 1024, 1024, "java", "-jar", "b.jar")));
      assertThat(run(rule, unbound.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));
    }

    @Test
    void negative_notAJvm() {
      Cluster c =
          new Cluster()
              .template(
                  "Deployment",
                  "a",
                  "b",
                  null,
                  List.of(c(0, "b", 1024, 1024, "nginx", "-g", "daemon off;")));
      assertThat(run(rule, c.evidence())).isEmpty();
    }
  }

  @Nested
  class Ballooning {
    @Test
    void vmMemoryGiven_nodeFarBelowIt() {
      Cluster c = new Cluster().node("r0", 516).vmMemory("r0", 4096);
      assertThat(BallooningAnalyzerAccess.run(c.evidence()))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.summary())
                      .isEqualTo(
                          "Node r0 has 516Mi of the 4096Mi its"
                              + " VM was given: a memory balloon took the rest"));
    }

    @Test
    void pool_oneNodeFarBelowItsPeers() {
      Map<String, String> cp = Map.of("node-role.kubernetes.io/control-plane", "true");
      Cluster c =
          new Cluster()
              .node("s0", 1229, true, cp)
              .node("s1", 2048, true, cp)
              .node("s2", 2048, true, cp)
              .node("w0", 516, true, Map.of());
      assertThat(BallooningAnalyzerAccess.run(c.evidence()))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.summary())
                      .startsWith("Node s0 has 1229Mi, far below the" + " 2048Mi of its pool"));
    }

    @Test
    void nearMiss_withinKernelAllowance_isSilent() {
      Map<String, String> cp = Map.of("node-role.kubernetes.io/control-plane", "true");
      Cluster c =
          new Cluster()
              .node("r0", 3700)
              .vmMemory("r0", 4096)
              .node("s1", 2048, true, cp)
              .node("s2", 1600, true, cp);
      assertThat(BallooningAnalyzerAccess.run(c.evidence())).isEmpty();
    }
  }

  @Nested
  class Evicted {
    private final EvictedAnalyzer rule = new EvictedAnalyzer();
    private static final String MESSAGE =
        "The node was low on resource: memory. Threshold"
            + " quantity: 100Mi, available: 83068Ki. Container cart was using 1254928Ki, request is"
            + " 256Mi, has larger consumption of memory. ";

    @Test
    void evictedForMemory_requestFromWhatItUsed() {
      Cluster c =
          new Cluster()
              .node("w2", 8192)
              .event("w2", "EvictionThresholdMet", "Attempting to reclaim memory")
              .evicted(
                  "shop",
                  "cart-1",
                  "w2",
                  ObjectRef.of("Deployment", "shop", "cart"),
                  MESSAGE,
                  List.of(c(0, "cart", 256, 0)));
      assertThat(run(rule, c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary()).isEqualTo("1 pod was evicted from node w2 for memory");
                assertThat(f.reasoning())
                    .contains(
                        "shop/cart-1 cart used 1254928Ki against a request" + " of 256Mi",
                        "EvictionThresholdMet");
                assertThat(f.fixes().getFirst().snippet().orElseThrow())
                    .isEqualTo(
                        "kubectl set"
                            + " resources deployment/cart -n shop -c cart --requests=memory=1226Mi\n");
              });
      // NO-LIMIT sizes the limit from the use at eviction, not from the request.
      assertThat(run(new NoLimitAnalyzer(), c.evidence()))
          .singleElement()
          .satisfies(f -> assertThat(newLimits(f)).containsExactly(1839 * Cluster.MI));
    }

    @Test
    void negative_evictedForDisk() {
      Cluster c =
          new Cluster()
              .node("w2", 8192)
              .evicted(
                  "shop",
                  "cart-1",
                  "w2",
                  null,
                  "The node was low on resource: ephemeral-storage.",
                  List.of(c(0, "cart", 256, 512)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }

    @Test
    void nearMiss_failedButNotEvicted() {
      Cluster c =
          new Cluster()
              .node("w2", 8192)
              .pod(
                  "shop",
                  "cart-1",
                  "w2",
                  null,
                  "Failed",
                  List.of(c(0, "cart", 256, 512)),
                  List.of(lastTerminated(0, "cart", "Error", 1, 0)));
      assertThat(run(rule, c.evidence())).isEmpty();
    }
  }

  @Nested
  class KernelJoin {
    private static final String AKS = "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log";
    private static final String UID = "479f327f-a27b-4eda-8523-90bdabcf0a27";
    private static final String CID =
        "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be";

    @Test
    void statusSaysCompleted_kernelKilledIt_isCalledOut() {
      Cluster c =
          new Cluster()
              .podWithUid(
                  "batch",
                  "stress",
                  UID,
                  List.of(c(0, "stress", 250, 500)),
                  List.of(Cluster.terminated("stress", CID, "Completed", 0)));
      List<Finding> out =
          new OomKilledAnalyzer().analyze(c.evidence(BallooningAnalyzerAccess.reports(AKS)));
      assertThat(out)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.summary()).endsWith("although its status says otherwise");
                assertThat(f.reasoning())
                    .contains("stress says Completed (exit 0)", "the status lies");
                assertThat(f.logLines())
                    .singleElement()
                    .satisfies(
                        l -> assertThat(l.text()).contains("Killed process 716580 (stress-ng-vm)"));
              });
    }

    @Test
    void nearMiss_otherContainerOfThePod_isNotJoined() {
      Cluster c =
          new Cluster()
              .podWithUid(
                  "batch",
                  "stress",
                  UID,
                  List.of(c(0, "stress", 250, 500)),
                  List.of(Cluster.terminated("stress", "0123456789abcdef", "Completed", 0)));
      assertThat(new OomKilledAnalyzer().analyze(c.evidence(BallooningAnalyzerAccess.reports(AKS))))
          .isEmpty();
    }

    @Test
    void exit137WithoutOomKilled_isNotOom_withTheEventsThatSayWho() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "web-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(lastTerminated(0, "web", "Error", 137, 3)))
              .podEvent(
                  "shop",
                  "web-1",
                  "Unhealthy",
                  "Liveness probe failed: HTTP probe failed with" + " statuscode: 503");
      assertThat(BallooningAnalyzerAccess.notOom(c.evidence()))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.code()).isEqualTo("NOT-OOM");
                assertThat(f.summary())
                    .isEqualTo(
                        "Pod shop/web-1 container web was killed with SIGKILL"
                            + " (exit 137) but not for memory");
                assertThat(f.reasoning()).contains("Unhealthy: Liveness probe failed");
              });
    }

    @Test
    void nearMiss_exit137OomKilled_orExit1_isNoNotOom() {
      Cluster c =
          new Cluster()
              .node("a", 4096)
              .pod(
                  "shop",
                  "web-1",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(lastTerminated(0, "web", "OOMKilled", 137, 3)))
              .pod(
                  "shop",
                  "web-2",
                  "a",
                  DEPLOY,
                  "Running",
                  List.of(c(0, "web", 256, 512)),
                  List.of(lastTerminated(0, "web", "Error", 1, 3)));
      assertThat(BallooningAnalyzerAccess.notOom(c.evidence())).isEmpty();
    }
  }

  @Test
  void everyLimitProposedForOneContainer_isTheSameNumber() {
    Cluster c =
        new Cluster()
            .node("a", 8192)
            .pod(
                "shop",
                "checkout-1",
                "a",
                DEPLOY,
                "Running",
                List.of(c(0, "checkout", 1024, 1024, "java", "-Xmx1g", "-jar", "a.jar")),
                List.of(lastTerminated(0, "checkout", "OOMKilled", 137, 4)))
            .usage("shop", "checkout-1", "checkout", 990);
    List<Long> limits =
        new RuleEngine()
            .run(c.evidence()).stream().flatMap(f -> newLimits(f).stream()).distinct().toList();
    assertThat(limits).containsExactly(1536 * Cluster.MI);
  }
}
