#!/usr/bin/env python3
"""Writes the seed 002 and seed 004 cluster dumps as kubectl writes them (kubectl get -o json).

Hand-built from the facts the seeds' post-mortems give (see SOURCE.md); run it again after
editing, from this directory: python3 make_fixtures.py
"""
import json, os

def lst(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

def write(d, name, obj):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        json.dump(obj, f, indent=4)
        f.write("\n")

def node(name, ki, role, ready="True", unsched=False):
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
              "node.kubernetes.io/instance-type": "k3s"}
    if role == "server":
        labels["node-role.kubernetes.io/control-plane"] = "true"
        labels["node-role.kubernetes.io/master"] = "true"
    n = {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": name, "labels": labels, "uid": "node-" + name},
         "spec": {"podCIDR": "10.42.0.0/24"},
         "status": {"capacity": {"cpu": "2", "memory": "%dKi" % ki, "pods": "110"},
                    "allocatable": {"cpu": "2", "memory": "%dKi" % ki, "pods": "110"},
                    "conditions": [
                        {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                        {"type": "Ready", "status": ready, "reason": "KubeletReady" if ready == "True" else "NodeStatusUnknown"}]}}
    if unsched:
        n["spec"]["unschedulable"] = True
    return n

def res(req=None, lim=None):
    r = {}
    if req: r["requests"] = {"memory": req}
    if lim: r["limits"] = {"memory": lim}
    return r

def pod(ns, name, node, containers, owner=None, phase="Running", statuses=None, qos="Burstable",
        volumes=None, uid=None, init=None):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": ns, "uid": uid or ("uid-" + name)},
         "spec": {"containers": containers},
         "status": {"phase": phase, "qosClass": qos}}
    if node: p["spec"]["nodeName"] = node
    if init: p["spec"]["initContainers"] = init
    if owner:
        p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                             "controller": True, "uid": "uid-" + owner[1]}]
    if volumes: p["spec"]["volumes"] = volumes
    if statuses is not None: p["status"]["containerStatuses"] = statuses
    return p

def cstatus(name, restarts=0, oom_at=None, cid="0123456789ab"):
    s = {"name": name, "ready": True, "restartCount": restarts, "image": "x", "imageID": "x",
         "containerID": "containerd://" + cid, "state": {"running": {"startedAt": "2025-08-14T09:00:00Z"}}}
    if oom_at:
        s["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                         "startedAt": "2025-08-14T08:40:00Z", "finishedAt": oom_at,
                                         "containerID": "containerd://" + cid}}
    return s

def event(ns, name, kind, obj, reason, msg, count=1, ts="2025-08-14T08:52:00Z", etype="Warning", source="kubelet"):
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": {"kind": kind, "name": obj, **({"namespace": ns} if kind != "Node" else {})},
            "reason": reason, "message": msg, "type": etype, "count": count,
            "firstTimestamp": ts, "lastTimestamp": ts, "source": {"component": source}}

def metrics(ns, name, usage):
    return {"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
            "metadata": {"name": name, "namespace": ns}, "timestamp": "2025-08-14T09:10:00Z",
            "window": "15s", "containers": [{"name": c, "usage": {"cpu": "10m", "memory": m}} for c, m in usage]}

# ---- seed 002 ----
d = "seed002"
nodes = [node("k3s-server-0", 1258291, "server"), node("k3s-server-1", 2097152, "server", unsched=True),
         node("k3s-server-2", 2097152, "server"), node("k3s-replica-0", 528384, "agent"),
         node("k3s-replica-1", 563200, "agent")]
write(d, "nodes.json", lst(nodes))

speaker_containers = [
    {"name": "speaker", "image": "quay.io/metallb/speaker:v0.14.8", "args": ["--port=7472"], "resources": {}},
    {"name": "frr", "image": "quay.io/frrouting/frr:9.0.2", "command": ["/bin/tini", "--", "/usr/lib/frr/docker-start"], "resources": {}},
    {"name": "reloader", "image": "quay.io/frrouting/frr:9.0.2", "command": ["/etc/frr_reloader/frr-reloader.sh"], "resources": {}},
    {"name": "frr-metrics", "image": "quay.io/frrouting/frr:9.0.2", "command": ["/etc/frr_metrics/frr-metrics"], "resources": {}},
]
ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
      "metadata": {"name": "metallb-speaker", "namespace": "metallb-system", "uid": "uid-metallb-speaker"},
      "spec": {"selector": {"matchLabels": {"app": "metallb"}},
               "template": {"metadata": {"labels": {"app": "metallb"}}, "spec": {"containers": speaker_containers}}}}
oom = {"k3s-server-0": ("2025-08-14T08:51:12Z", 9), "k3s-replica-0": ("2025-08-14T08:47:40Z", 14),
       "k3s-replica-1": ("2025-08-14T08:49:05Z", 6)}
pods = []
for i, n in enumerate(["k3s-server-0", "k3s-server-1", "k3s-server-2", "k3s-replica-0", "k3s-replica-1"]):
    at, restarts = oom.get(n, (None, 0))
    st = [cstatus("speaker"), cstatus("frr", restarts, at, cid="f%011d" % i), cstatus("reloader"), cstatus("frr-metrics")]
    pods.append(pod("metallb-system", "metallb-speaker-%s" % "abcde"[i], n, speaker_containers,
                    owner=("DaemonSet", "metallb-speaker"), statuses=st, qos="BestEffort"))
ctrl = [{"name": "controller", "image": "quay.io/metallb/controller:v0.14.8", "resources": res("64Mi", "128Mi")}]
pods.append(pod("metallb-system", "metallb-controller-7d9c8b-x2k4p", "k3s-server-2", ctrl,
                owner=("ReplicaSet", "metallb-controller-7d9c8b"), statuses=[cstatus("controller")]))
coredns = [{"name": "coredns", "image": "rancher/mirrored-coredns-coredns:1.10.1", "resources": res("70Mi", "170Mi")}]
pods.append(pod("kube-system", "coredns-6799fbcd5-9kq2z", "k3s-server-0", coredns,
                owner=("ReplicaSet", "coredns-6799fbcd5"), statuses=[cstatus("coredns")]))
# replica-0: 516Mi allocatable, limits 764Mi (148%)
pods.append(pod("apps", "home-assistant-0", "k3s-replica-0",
                [{"name": "home-assistant", "image": "ghcr.io/home-assistant/home-assistant:2025.8", "resources": res("256Mi", "512Mi")}],
                owner=("StatefulSet", "home-assistant"), statuses=[cstatus("home-assistant")]))
pods.append(pod("apps", "mosquitto-5f7d9-abcde", "k3s-replica-0",
                [{"name": "mosquitto", "image": "eclipse-mosquitto:2.0", "resources": res("64Mi", "252Mi")}],
                owner=("ReplicaSet", "mosquitto-5f7d9"), statuses=[cstatus("mosquitto")]))
# replica-1: 550Mi allocatable, limits 666Mi (121%)
pods.append(pod("apps", "nextcloud-7c9f-qwert", "k3s-replica-1",
                [{"name": "nextcloud", "image": "nextcloud:29-apache", "resources": res("256Mi", "512Mi")}],
                owner=("ReplicaSet", "nextcloud-7c9f"), statuses=[cstatus("nextcloud")]))
pods.append(pod("apps", "redis-0", "k3s-replica-1",
                [{"name": "redis", "image": "redis:7.2", "resources": res("64Mi", "154Mi")}],
                owner=("StatefulSet", "redis"), statuses=[cstatus("redis")]))
# monitoring stack: Pending, its claims bound to volumes on the deleted k3s-replica-2
for name, claim in [("prometheus-kube-prometheus-stack-prometheus-0", "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0"),
                    ("alertmanager-kube-prometheus-stack-alertmanager-0", "alertmanager-kube-prometheus-stack-alertmanager-db-alertmanager-kube-prometheus-stack-alertmanager-0")]:
    c = name.split("-")[0]
    pods.append(pod("monitoring", name, None,
                    [{"name": c, "image": "quay.io/prometheus/%s:v2.53.0" % c, "resources": res("200Mi", "400Mi")}],
                    owner=("StatefulSet", name.rsplit("-", 1)[0]), phase="Pending", statuses=[],
                    volumes=[{"name": "db", "persistentVolumeClaim": {"claimName": claim}}]))
write(d, "pods.json", lst(pods))
write(d, "workloads.json", lst([ds]))

pvcs, pvs = [], []
for i, claim in enumerate(["prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
                           "alertmanager-kube-prometheus-stack-alertmanager-db-alertmanager-kube-prometheus-stack-alertmanager-0"]):
    pv = "pvc-%d1c2d3e4-0000-4000-8000-00000000000%d" % (i + 1, i + 1)
    pvcs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                 "metadata": {"name": claim, "namespace": "monitoring",
                              "annotations": {"volume.kubernetes.io/selected-node": "k3s-replica-2",
                                              "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"}},
                 "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path", "volumeName": pv,
                          "resources": {"requests": {"storage": "10Gi"}}},
                 "status": {"phase": "Bound"}})
    pvs.append({"apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": pv, "finalizers": ["kubernetes.io/pv-protection"]},
                "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
                         "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "monitoring", "name": claim},
                         "hostPath": {"path": "/var/lib/rancher/k3s/storage/" + pv},
                         "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                             {"key": "kubernetes.io/hostname", "operator": "In", "values": ["k3s-replica-2"]}]}]}}},
                "status": {"phase": "Bound"}})
write(d, "volumes.json", lst(pvcs + pvs))

events = [
    event("default", "k3s-server-0.17e9a1", "Node", "k3s-server-0", "SystemOOM", "System OOM encountered, victim process: zebra, pid: 2211", 3),
    event("default", "k3s-server-0.17e9a2", "Node", "k3s-server-0", "SystemOOM", "System OOM encountered, victim process: bgpd, pid: 2214", 2, ts="2025-08-14T08:55:31Z"),
    event("default", "k3s-server-0.17e9a3", "Node", "k3s-server-0", "SystemOOM", "System OOM encountered, victim process: staticd, pid: 2219"),
    event("monitoring", "prometheus-kube-prometheus-stack-prometheus-0.17e9b1", "Pod", "prometheus-kube-prometheus-stack-prometheus-0",
          "FailedScheduling", "0/5 nodes are available: 5 node(s) had volume node affinity conflict. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.", 41, etype="Warning", source="default-scheduler"),
]
write(d, "events.json", lst(events))

def flux(kind, api, ns, name, reason, msg):
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns},
            "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "False", "reason": reason, "message": msg,
                                                   "lastTransitionTime": "2025-08-14T08:30:00Z"}]}}
fluxobjs = [
    flux("HelmRelease", "helm.toolkit.fluxcd.io/v2", "metallb-system", "metallb", "UpgradeFailed",
         "Helm upgrade failed for release metallb-system/metallb with chart metallb@0.14.8: etcdserver: leader changed"),
    flux("Kustomization", "kustomize.toolkit.fluxcd.io/v1", "flux-system", "infrastructure", "ReconciliationFailed",
         "PriorityClass/system-infrastructure dry-run failed (Invalid): PriorityClass.scheduling.k8s.io \"system-infrastructure\" is invalid: metadata.name: Invalid value: \"system-infrastructure\": name must not start with 'system-' as it is reserved for system use; health check failed after 5m0s: failed early due to stalled resources: [HelmRelease/metallb-system/metallb status: 'Failed']"),
    flux("Kustomization", "kustomize.toolkit.fluxcd.io/v1", "flux-system", "apps", "DependencyNotReady",
         "dependency 'flux-system/infrastructure' is not ready"),
]
write(d, "flux.json", lst(fluxobjs))
write(d, "metrics.json", lst([metrics("metallb-system", "metallb-speaker-%s" % "abcde"[i],
                                      [("speaker", "41Mi"), ("frr", "%dMi" % (82 + 4 * i)), ("reloader", "6Mi"), ("frr-metrics", "19Mi")])
                              for i in range(5)] +
                             [metrics("apps", "home-assistant-0", [("home-assistant", "301Mi")]),
                              metrics("apps", "nextcloud-7c9f-qwert", [("nextcloud", "288Mi")])]))

# ---- seed 004 ----
d = "seed004"
nodes4 = [node("worker-1", 8039360, "agent"), node("worker-2", 8039360, "agent")]
for n in nodes4:
    n["metadata"]["labels"]["node.kubernetes.io/instance-type"] = "m5.large"
write(d, "nodes.json", lst(nodes4))
checkout = [{"name": "checkout", "image": "registry.example.com/shop/checkout:4.2.0",
             "command": ["java"], "args": ["-Xmx1g", "-jar", "/app/checkout.jar"], "resources": res("1Gi", "1Gi")},
            {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.3", "args": ["proxy", "sidecar"], "resources": res("128Mi")}]
ledger = [{"name": "ledger", "image": "registry.example.com/payments/ledger:1.9.1",
           "env": [{"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=60"}], "resources": res("512Mi", "512Mi")}]
debug = [{"name": "debug", "image": "nicolaka/netshoot:v0.13", "command": ["sleep", "infinity"]}]
pods4 = [
    pod("shop", "checkout-6b8d5c7f9-h2x7q", "worker-1", checkout, owner=("ReplicaSet", "checkout-6b8d5c7f9"),
        statuses=[cstatus("checkout", 4, "2025-03-02T11:20:07Z"), cstatus("istio-proxy")]),
    pod("payments", "ledger-0", "worker-2", ledger, owner=("StatefulSet", "ledger"), statuses=[cstatus("ledger")], qos="Guaranteed"),
    pod("default", "debug-tools", "worker-2", debug, statuses=[cstatus("debug")], qos="BestEffort"),
]
evicted = pod("shop", "cart-7d5f6c9b8-k2m4x", "worker-2",
              [{"name": "cart", "image": "registry.example.com/shop/cart:1.3.0", "resources": res("256Mi")}],
              owner=("ReplicaSet", "cart-7d5f6c9b8"), phase="Failed", statuses=[])
evicted["status"]["reason"] = "Evicted"
evicted["status"]["message"] = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 83068Ki. "
                                "Container cart was using 1254928Ki, request is 256Mi, has larger consumption of memory. ")
pods4.append(evicted)
write(d, "pods.json", lst(pods4))
write(d, "events.json", lst([event("default", "worker-2.181c4e2a", "Node", "worker-2", "EvictionThresholdMet",
                                   "Attempting to reclaim memory", ts="2025-03-02T11:18:40Z")]))
rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
      "metadata": {"name": "checkout-6b8d5c7f9", "namespace": "shop",
                   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout", "controller": True, "uid": "uid-checkout"}]},
      "spec": {"selector": {"matchLabels": {"app": "checkout"}}, "template": {"spec": {"containers": checkout}}}}
rs_cart = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "metadata": {"name": "cart-7d5f6c9b8", "namespace": "shop",
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "cart", "controller": True, "uid": "uid-cart"}]},
           "spec": {"selector": {"matchLabels": {"app": "cart"}}, "template": {"spec": {"containers": [
               {"name": "cart", "image": "registry.example.com/shop/cart:1.3.0", "resources": res("256Mi")}]}}}}
write(d, "replicasets.json", lst([rs, rs_cart]))
write(d, "metrics.json", lst([metrics("shop", "checkout-6b8d5c7f9-h2x7q", [("checkout", "990Mi"), ("istio-proxy", "97Mi")]),
                              metrics("payments", "ledger-0", [("ledger", "470Mi")])]))
