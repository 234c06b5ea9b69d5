package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** --kubernetes against fabric8's mock API server in CRUD mode. */
class KubeLinkTest {
  private static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");
  private static final String CID =
      "0c8d7fd24b2f560552790d54413f993d1f84bb1fd855d81ffa965a05bec01eb4";

  private MockWebServer web;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private KubeLink link;
  private final List<String> said = new ArrayList<>();
  private String uid;

  @BeforeEach
  void setUp() throws Exception {
    web = new MockWebServer();
    server =
        new KubernetesMockServer(
            new Context(), web, new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    // The mock gives each pod a UID of its own on create: the one the kill carries is read back.
    Pod mine =
        client.pods().inNamespace("shop").resource(pod("checkout-7d9f", "node-1", "app")).create();
    uid = mine.getMetadata().getUid();
    client.pods().inNamespace("shop").resource(pod("other-node-pod", "node-2", "app")).create();
    link = new KubeLink(client, "node-1", said::add);
    // The mock answers a spec.nodeName field selector with nothing: every pod is listed, and the
    // link keeps this node's.
    link.start(client.pods().inAnyNamespace());
    for (int i = 0; i < 50 && link.pods().isEmpty(); i++) {
      Thread.sleep(100);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (link != null) {
      link.close();
    }
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // Vert.x 5 closes a server only once every connection is closed, and gives the informer's
      // watch WebSocket 10 s to answer the closing handshake, as long as destroy() waits: on a
      // loaded machine the wait lost that race. The mock then never closes its Vert.x, so close
      // it here, as fabric8's own fix does (kubernetes-client pull request 8131).
      Field vertx = MockWebServer.class.getDeclaredField("vertx");
      vertx.setAccessible(true);
      ((Vertx) vertx.get(web)).close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Pod pod(String name, String node, String container) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName(container)
        .withImage("x")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .addNewContainerStatus()
        .withName(container)
        .withContainerID("containerd://" + CID)
        .withReady(true)
        .endContainerStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private KillRecord kill(long seq, Verdict verdict, String captured) {
    String cg = "/kubepods/burstable/pod" + uid + "/" + CID;
    return new KillRecord(
        "b",
        seq,
        seq,
        seq,
        T0.plusSeconds(seq),
        OptionalLong.of(4000 + seq),
        Optional.of("worker"),
        OptionalLong.of(30L << 20),
        Optional.of(cg),
        "report",
        Optional.of(cg),
        verdict,
        Optional.of(uid),
        Optional.of(CID),
        Optional.empty(),
        Optional.of("MEMCG-LIMIT"),
        "the container hit its limit",
        "",
        captured);
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("shop").list().getItems();
  }

  @Test
  void names_onlyThisNodesPods_byUidAndContainerId() {
    assertThat(link.pods()).containsOnlyKeys(uid);
    assertThat(link.of(Optional.of(uid), Optional.of(CID)))
        .hasValue(new Capture.Named("shop", "checkout-7d9f", "app"));
    assertThat(link.of(Optional.of("nope"), Optional.of(CID))).isEmpty();
  }

  @Test
  void killed_postsAnEventWithTheVerdictAsReason() {
    link.killed(kill(1, Verdict.LIMIT, "{\"ns_pid\":1}"), null, 0);
    link.killed(kill(2, Verdict.NODE, "{}"), null, 0);
    List<Event> events = events();
    assertThat(events)
        .extracting(Event::getReason)
        .containsExactlyInAnyOrder("OOMKillLimit", "OOMKillNode");
    Event limit =
        events.stream().filter(e -> e.getReason().equals("OOMKillLimit")).findFirst().orElseThrow();
    assertThat(limit.getInvolvedObject().getName()).isEqualTo("checkout-7d9f");
    assertThat(limit.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{app}");
    assertThat(limit.getMessage())
        .startsWith(
            "Kernel OOM kill of 4001 (worker), 30.0 MiB in"
                + " container app; verdict limit; the container's main process; MEMCG-LIMIT:");
    assertThat(limit.getSource().getComponent()).isEqualTo("oomlens");
    assertThat(said).isEmpty();
  }

  @Test
  void repeatedKillsOfOtherProcesses_whileReady_degradedOnce() {
    for (int i = 1; i <= 4; i++) {
      link.killed(kill(i, Verdict.LIMIT, "{\"ns_pid\":57}"), null, 0);
    }
    assertThat(events())
        .extracting(Event::getReason)
        .containsExactlyInAnyOrder(
            "OOMKillLimit", "OOMKillLimit", "OOMKillLimit", "OOMKillLimit", "OOMKillDegraded");
    assertThat(events())
        .filteredOn(e -> e.getReason().equals("OOMKillLimit"))
        .first()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains("not the container's main process (kubelet will not report it)"));
  }
}
