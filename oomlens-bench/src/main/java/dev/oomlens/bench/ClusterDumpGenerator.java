package dev.oomlens.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a large cluster dump as {@code kubectl get nodes,pods,events -A -o json} writes it: one
 * {@code List} with 4-space indentation, nodes first, then pods, then events. Pods carry what
 * kubectl shows (labels, owner references, containers with images, ports, env, probes, resources
 * and volume mounts, volumes, conditions, container statuses), so readers are not flattered by thin
 * objects. About 1 pod in 100 has a container last terminated OOMKilled; two DaemonSets run on
 * every node (one without limits); one node in 500 posts SystemOOM events. The same seed gives the
 * same bytes.
 *
 * {@snippet lang="shell" :
 * java -cp oomlens-bench/target/benchmarks.jar dev.oomlens.bench.ClusterDumpGenerator \
 *     --nodes 5000 --pods 150000 --seed 1 cluster.json
 * }
 *
 * <p>It prints one line of facts: {@code nodes=... pods=... oomkilled_containers=... bytes=...};
 * {@code oomkilled_pods} is what a filter for OOMKilled containers must count.
 */
public final class ClusterDumpGenerator {
  /** Bumped whenever the output for a given seed changes. */
  public static final int FORMAT_VERSION = 1;

  private final SplittableRandom random;
  private final int nodes;
  private final int pods;
  private long oomKilledContainers;
  private long oomKilledPods;
  private long events;

  /** A generator of {@code nodes} nodes and {@code pods} pods, the same bytes for one seed. */
  public ClusterDumpGenerator(int nodes, int pods, long seed) {
    this.nodes = nodes;
    this.pods = pods;
    this.random = new SplittableRandom(seed);
  }

  public static void main(String[] args) throws IOException {
    int nodes = 5000;
    int pods = 150_000;
    long seed = 1;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--version" -> {
          System.out.println("format_version=" + FORMAT_VERSION);
          return;
        }
        default -> out = Path.of(args[i]);
      }
    }
    if (out == null) {
      System.err.println("usage: ClusterDumpGenerator [--nodes N] [--pods N] [--seed S] FILE");
      System.exit(2);
    }
    ClusterDumpGenerator g = new ClusterDumpGenerator(nodes, pods, seed);
    try (Writer w =
        new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 20)) {
      g.write(w);
    }
    System.out.println(
        "nodes="
            + nodes
            + " pods="
            + pods
            + " oomkilled_containers="
            + g.oomKilledContainers
            + " oomkilled_pods="
            + g.oomKilledPods
            + " events="
            + g.events
            + " bytes="
            + Files.size(out));
  }

  /** Writes the whole List. */
  public void write(Writer w) throws IOException {
    w.write("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    boolean first = true;
    for (int n = 0; n < nodes; n++) {
      first = sep(w, first);
      node(w, n);
    }
    int daemonPods = Math.min(pods, nodes * 2);
    for (int p = 0; p < pods; p++) {
      first = sep(w, first);
      if (p < daemonPods) {
        daemonPod(w, p);
      } else {
        appPod(w, p);
      }
    }
    for (int n = 0; n < nodes; n += 500) {
      for (int e = 0; e < 3; e++) {
        first = sep(w, first);
        systemOom(w, n, e);
      }
    }
    for (int p = 0; p < pods / 10; p++) {
      first = sep(w, first);
      podEvent(w, p);
    }
    w.write(
        "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n"
            + "        \"resourceVersion\": \"\"\n    }\n}\n");
  }

  private static boolean sep(Writer w, boolean first) throws IOException {
    if (!first) {
      w.write(",\n");
    }
    return false;
  }

  private static String nodeName(int n) {
    return String.format(Locale.ROOT, "worker-%05d", n);
  }

  private void node(Writer w, int n) throws IOException {
    String name = nodeName(n);
    long gib = n % 50 == 0 ? 64 : 32;
    long capKi = gib * 1024 * 1024 - random.nextInt(200_000);
    long allocKi = capKi - 1_800_000;
    w.write(
        """
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "annotations": {
                            "node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"
                        },
                        "creationTimestamp": "2026-10-01T08:00:00Z",
                        "labels": {
                            "kubernetes.io/arch": "amd64",
                            "kubernetes.io/hostname": "%1$s",
                            "kubernetes.io/os": "linux",
                            "node.kubernetes.io/instance-type": "m6i.%4$s",
                            "topology.kubernetes.io/zone": "eu-west-1%5$s"
                        },
                        "name": "%1$s",
                        "resourceVersion": "%6$d",
                        "uid": "%7$s"
                    },
                    "spec": {
                        "podCIDR": "10.%8$d.%9$d.0/24",
                        "providerID": "aws:///eu-west-1a/i-%10$012x"
                    },
                    "status": {
                        "allocatable": {
                            "cpu": "7910m",
                            "ephemeral-storage": "95551679124",
                            "memory": "%3$dKi",
                            "pods": "110"
                        },
                        "capacity": {
                            "cpu": "8",
                            "ephemeral-storage": "104845292Ki",
                            "memory": "%2$dKi",
                            "pods": "110"
                        },
                        "conditions": [
                            {
                                "lastHeartbeatTime": "2026-11-21T10:00:00Z",
                                "lastTransitionTime": "2026-10-01T08:00:00Z",
                                "message": "kubelet has sufficient memory available",
                                "reason": "KubeletHasSufficientMemory",
                                "status": "False",
                                "type": "MemoryPressure"
                            },
                            {
                                "lastHeartbeatTime": "2026-11-21T10:00:00Z",
                                "lastTransitionTime": "2026-10-01T08:00:00Z",
                                "message": "kubelet is posting ready status",
                                "reason": "KubeletReady",
                                "status": "True",
                                "type": "Ready"
                            }
                        ],
                        "nodeInfo": {
                            "containerRuntimeVersion": "containerd://1.7.22",
                            "kernelVersion": "6.1.0-27-cloud-amd64",
                            "kubeletVersion": "v1.31.2",
                            "operatingSystem": "linux",
                            "osImage": "Debian GNU/Linux 12 (bookworm)"
                        }
                    }
                }"""
            .formatted(
                name,
                capKi,
                allocKi,
                gib == 64 ? "4xlarge" : "2xlarge",
                "abc".charAt(n % 3),
                1000 + n,
                uid(),
                n / 250,
                n % 250,
                random.nextLong() >>> 24));
  }

  private String uid() {
    long a = random.nextLong();
    long b = random.nextLong();
    return String.format(
        Locale.ROOT,
        "%08x-%04x-4%03x-8%03x-%012x",
        a >>> 32,
        (a >>> 16) & 0xffff,
        a & 0xfff,
        (b >>> 48) & 0xfff,
        b & 0xffffffffffffL);
  }

  private void daemonPod(Writer w, int p) throws IOException {
    int node = p / 2;
    boolean agent = p % 2 == 0;
    String ds = agent ? "log-agent" : "node-exporter";
    String ns = agent ? "logging" : "monitoring";
    String resources =
        agent
            ? "{}"
            : """
        {
                                    "limits": {
                                        "memory": "64Mi"
                                    },
                                    "requests": {
                                        "cpu": "10m",
                                        "memory": "32Mi"
                                    }
                                }""";
    pod(
        w,
        ns,
        ds + "-" + suffix(p),
        nodeName(node),
        "DaemonSet",
        ds,
        List2.of(
            new Container(
                ds,
                "registry.example.com/" + ds + ":1.8." + (p % 3),
                resources,
                agent ? "\"--config=/etc/agent/agent.yaml\"" : "\"--path.rootfs=/host\"")),
        agent ? "BestEffort" : "Burstable");
  }

  private void appPod(Writer w, int p) throws IOException {
    int app = random.nextInt(2000);
    String ns = "team-" + (app % 40);
    String deploy = "svc-" + app;
    String rs = deploy + "-" + Integer.toHexString(0x5f000000 + app);
    long limitMi = 128L << random.nextInt(5);
    String main =
        """
        {
                                    "limits": {
                                        "cpu": "1",
                                        "memory": "%dMi"
                                    },
                                    "requests": {
                                        "cpu": "100m",
                                        "memory": "%dMi"
                                    }
                                }"""
            .formatted(limitMi, limitMi / 2);
    boolean java = app % 5 == 0;
    String args =
        java
            ? "\"java\", \"-Xmx" + (limitMi * 3 / 4) + "m\", \"-jar\", \"/app/app.jar\""
            : "\"/app/server\", \"--port=8080\"";
    Container c1 =
        new Container(
            deploy, "registry.example.com/" + ns + "/" + deploy + ":2.4." + (app % 17), main, args);
    if (app % 4 == 0) {
      Container c2 =
          new Container(
              "istio-proxy",
              "docker.io/istio/proxyv2:1.22.3",
              """
          {
                                      "requests": {
                                          "cpu": "10m",
                                          "memory": "40Mi"
                                      }
                                  }""",
              "\"proxy\", \"sidecar\"");
      pod(
          w,
          ns,
          rs + "-" + suffix(p),
          nodeName(random.nextInt(nodes)),
          "ReplicaSet",
          rs,
          List2.of(c1, c2),
          "Burstable");
    } else {
      pod(
          w,
          ns,
          rs + "-" + suffix(p),
          nodeName(random.nextInt(nodes)),
          "ReplicaSet",
          rs,
          List2.of(c1),
          "Burstable");
    }
  }

  private String suffix(int p) {
    return Integer.toString(p, 36)
        + (char) ('a' + random.nextInt(26))
        + (char) ('a' + random.nextInt(26));
  }

  /** A container of a generated pod: its resources block and its arguments, as JSON. */
  record Container(String name, String image, String resources, String args) {}

  /** One or two containers. */
  record List2(Container first, Container second) {
    static List2 of(Container a) {
      return new List2(a, null);
    }

    static List2 of(Container a, Container b) {
      return new List2(a, b);
    }
  }

  private void pod(
      Writer w,
      String ns,
      String name,
      String node,
      String ownerKind,
      String owner,
      List2 cs,
      String qos)
      throws IOException {
    boolean oom = random.nextInt(100) == 0;
    if (oom) {
      oomKilledPods++;
      oomKilledContainers++;
    }
    StringBuilder containers = new StringBuilder();
    StringBuilder statuses = new StringBuilder();
    container(containers, cs.first());
    status(statuses, cs.first(), oom);
    if (cs.second() != null) {
      containers.append(",\n");
      statuses.append(",\n");
      container(containers, cs.second());
      status(statuses, cs.second(), false);
    }
    w.write(
        """
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "creationTimestamp": "2026-11-20T12:00:00Z",
                        "generateName": "%5$s-",
                        "labels": {
                            "app.kubernetes.io/name": "%5$s",
                            "pod-template-hash": "%8$s"
                        },
                        "name": "%2$s",
                        "namespace": "%1$s",
                        "ownerReferences": [
                            {
                                "apiVersion": "apps/v1",
                                "blockOwnerDeletion": true,
                                "controller": true,
                                "kind": "%4$s",
                                "name": "%5$s",
                                "uid": "%9$s"
                            }
                        ],
                        "resourceVersion": "%10$d",
                        "uid": "%11$s"
                    },
                    "spec": {
                        "containers": [
        %6$s
                        ],
                        "dnsPolicy": "ClusterFirst",
                        "enableServiceLinks": true,
                        "nodeName": "%3$s",
                        "preemptionPolicy": "PreemptLowerPriority",
                        "priority": 0,
                        "restartPolicy": "Always",
                        "schedulerName": "default-scheduler",
                        "securityContext": {},
                        "serviceAccount": "default",
                        "serviceAccountName": "default",
                        "terminationGracePeriodSeconds": 30,
                        "tolerations": [
                            {
                                "effect": "NoExecute",
                                "key": "node.kubernetes.io/not-ready",
                                "operator": "Exists",
                                "tolerationSeconds": 300
                            }
                        ],
                        "volumes": [
                            {
                                "name": "kube-api-access-%8$s",
                                "projected": {
                                    "defaultMode": 420,
                                    "sources": [
                                        {
                                            "serviceAccountToken": {
                                                "expirationSeconds": 3607,
                                                "path": "token"
                                            }
                                        }
                                    ]
                                }
                            }
                        ]
                    },
                    "status": {
                        "conditions": [
                            {
                                "lastProbeTime": null,
                                "lastTransitionTime": "2026-11-20T12:00:05Z",
                                "status": "True",
                                "type": "Initialized"
                            },
                            {
                                "lastProbeTime": null,
                                "lastTransitionTime": "2026-11-20T12:00:09Z",
                                "status": "True",
                                "type": "Ready"
                            },
                            {
                                "lastProbeTime": null,
                                "lastTransitionTime": "2026-11-20T12:00:01Z",
                                "status": "True",
                                "type": "PodScheduled"
                            }
                        ],
                        "containerStatuses": [
        %7$s
                        ],
                        "hostIP": "10.0.%12$d.%13$d",
                        "phase": "Running",
                        "podIP": "10.42.%12$d.%14$d",
                        "qosClass": "%15$s",
                        "startTime": "2026-11-20T12:00:01Z"
                    }
                }"""
            .formatted(
                ns,
                name,
                node,
                ownerKind,
                owner,
                containers,
                statuses,
                Integer.toHexString(random.nextInt(1 << 24)),
                uid(),
                100_000 + random.nextInt(1 << 24),
                uid(),
                random.nextInt(250),
                random.nextInt(250),
                random.nextInt(250),
                qos));
  }

  private void container(StringBuilder s, Container c) {
    s.append(
        """
                                {
                                    "args": [
                                        %4$s
                                    ],
                                    "env": [
                                        {
                                            "name": "LOG_LEVEL",
                                            "value": "info"
                                        }
                                    ],
                                    "image": "%2$s",
                                    "imagePullPolicy": "IfNotPresent",
                                    "name": "%1$s",
                                    "ports": [
                                        {
                                            "containerPort": 8080,
                                            "name": "http",
                                            "protocol": "TCP"
                                        }
                                    ],
                                    "readinessProbe": {
                                        "failureThreshold": 3,
                                        "httpGet": {
                                            "path": "/ready",
                                            "port": 8080,
                                            "scheme": "HTTP"
                                        },
                                        "periodSeconds": 10
                                    },
                                    "resources": %3$s,
                                    "terminationMessagePath": "/dev/termination-log",
                                    "terminationMessagePolicy": "File",
                                    "volumeMounts": [
                                        {
                                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                            "name": "kube-api-access",
                                            "readOnly": true
                                        }
                                    ]
                                }"""
            .formatted(c.name(), c.image(), c.resources(), c.args()));
  }

  private void status(StringBuilder s, Container c, boolean oom) {
    String cid = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    String last =
        oom
            ? """
        {
                                        "terminated": {
                                            "containerID": "containerd://%s",
                                            "exitCode": 137,
                                            "finishedAt": "2026-11-21T0%d:1%d:00Z",
                                            "reason": "OOMKilled",
                                            "startedAt": "2026-11-20T12:00:08Z"
                                        }
                                    }"""
                .formatted(cid, random.nextInt(10), random.nextInt(10))
            : "{}";
    s.append(
        """
                                {
                                    "containerID": "containerd://%2$s",
                                    "image": "%3$s",
                                    "imageID": "%3$s@sha256:%4$s",
                                    "lastState": %5$s,
                                    "name": "%1$s",
                                    "ready": true,
                                    "restartCount": %6$d,
                                    "started": true,
                                    "state": {
                                        "running": {
                                            "startedAt": "2026-11-21T09:00:00Z"
                                        }
                                    }
                                }"""
            .formatted(c.name(), cid, c.image(), cid + cid, last, oom ? 1 + random.nextInt(9) : 0));
  }

  private void systemOom(Writer w, int n, int e) throws IOException {
    events++;
    String[] victims = {"zebra", "bgpd", "containerd-shim"};
    w.write(
        """
                {
                    "apiVersion": "v1",
                    "count": %3$d,
                    "firstTimestamp": "2026-11-21T08:00:00Z",
                    "involvedObject": {
                        "kind": "Node",
                        "name": "%1$s",
                        "uid": "%1$s"
                    },
                    "kind": "Event",
                    "lastTimestamp": "2026-11-21T08:5%4$d:00Z",
                    "message": "System OOM encountered, victim process: %2$s, pid: %5$d",
                    "metadata": {
                        "name": "%1$s.%6$s",
                        "namespace": "default"
                    },
                    "reason": "SystemOOM",
                    "source": {
                        "component": "kubelet",
                        "host": "%1$s"
                    },
                    "type": "Warning"
                }"""
            .formatted(
                nodeName(n),
                victims[e],
                1 + e,
                e,
                2000 + e,
                Long.toHexString(random.nextLong() >>> 8)));
  }

  private void podEvent(Writer w, int p) throws IOException {
    events++;
    w.write(
        """
                {
                    "apiVersion": "v1",
                    "count": 1,
                    "firstTimestamp": "2026-11-21T09:00:00Z",
                    "involvedObject": {
                        "apiVersion": "v1",
                        "fieldPath": "spec.containers{app}",
                        "kind": "Pod",
                        "name": "pod-%1$d",
                        "namespace": "team-%2$d"
                    },
                    "kind": "Event",
                    "lastTimestamp": "2026-11-21T09:00:00Z",
                    "message": "Container image already present on machine",
                    "metadata": {
                        "name": "pod-%1$d.%3$s",
                        "namespace": "team-%2$d"
                    },
                    "reason": "Pulled",
                    "source": {
                        "component": "kubelet",
                        "host": "%4$s"
                    },
                    "type": "Normal"
                }"""
            .formatted(p, p % 40, Long.toHexString(random.nextLong() >>> 8), nodeName(p % nodes)));
  }
}
