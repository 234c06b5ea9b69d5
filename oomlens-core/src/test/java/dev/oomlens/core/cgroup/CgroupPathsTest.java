package dev.oomlens.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.oomlens.core.model.Workload;
import dev.oomlens.core.model.Workload.Kind;
import dev.oomlens.core.model.Workload.QosClass;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;

class CgroupPathsTest {
  private static final String ID_015 =
      "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be";
  private static final String ID_006 =
      "a2ed67c63e828da3849bf9f506ae2b36b4dac5b402a57f2981c9bdc07b23e672";
  private static final String ID_003 =
      "aa0c055d742e69a7c5056de02bcbefd3e914016a120a0858290cf41acc88507a";
  private static final String ID_004 =
      "1da1ac35179e4a431244118025a4806f88ca172ffdba9e035076add06e912e6f";
  private static final String UID_015 = "479f327f-a27b-4eda-8523-90bdabcf0a27";
  private static final String UID_015_ESCAPED = "479f327f_a27b_4eda_8523_90bdabcf0a27";
  private static final String UID_006 = "bc001ffa-68fc-11e9-92d7-5ef9efd9374c";
  private static final String STATIC_UID = "3b9c4c3e1d3a4c8f9e0a6b8c2d4f6a8b";

  private static final String POD_015 =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
          + UID_015_ESCAPED
          + ".slice";

  static Stream<Arguments> paths() {
    return Stream.of(
        // Kubernetes, systemd driver (#015, AKS, cgroup v2).
        row(
            POD_015 + "/cri-containerd-" + ID_015 + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "containerd",
            QosClass.Burstable,
            "cri-containerd-" + ID_015 + ".scope"),
        row(
            POD_015,
            Kind.POD,
            UID_015,
            null,
            null,
            QosClass.Burstable,
            "kubepods-burstable-pod" + UID_015_ESCAPED + ".slice"),
        row(
            POD_015 + "/crio-" + ID_015 + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "cri-o",
            QosClass.Burstable,
            "crio-" + ID_015 + ".scope"),
        row(
            POD_015 + "/docker-" + ID_015 + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "docker",
            QosClass.Burstable,
            "docker-" + ID_015 + ".scope"),
        row(
            POD_015 + "/crio-conmon-" + ID_015 + ".scope",
            Kind.POD,
            UID_015,
            null,
            "cri-o",
            QosClass.Burstable,
            "crio-conmon-" + ID_015 + ".scope"),
        row(
            POD_015 + "/cri-containerd-" + ID_015 + ".scope/init",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "containerd",
            QosClass.Burstable,
            "cri-containerd-" + ID_015 + ".scope"),
        row(
            "/kubepods.slice/kubepods-pod"
                + UID_015_ESCAPED
                + ".slice/cri-containerd-"
                + ID_015
                + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "containerd",
            QosClass.Guaranteed,
            "cri-containerd-" + ID_015 + ".scope"),
        row(
            "/kubepods.slice/kubepods-pod" + UID_015_ESCAPED + ".slice",
            Kind.POD,
            UID_015,
            null,
            null,
            QosClass.Guaranteed,
            "kubepods-pod" + UID_015_ESCAPED + ".slice"),
        row(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                + UID_015_ESCAPED
                + ".slice/crio-"
                + ID_015
                + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "cri-o",
            QosClass.BestEffort,
            "crio-" + ID_015 + ".scope"),
        row(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + STATIC_UID
                + ".slice",
            Kind.POD,
            STATIC_UID,
            null,
            null,
            QosClass.Burstable,
            "kubepods-burstable-pod" + STATIC_UID + ".slice"),
        row("/kubepods.slice", Kind.KUBEPODS, null, null, null, null, "kubepods.slice"),
        row(
            "/kubepods.slice/kubepods-burstable.slice",
            Kind.KUBEPODS,
            null,
            null,
            null,
            QosClass.Burstable,
            "kubepods-burstable.slice"),
        row(
            "/kubepods.slice/kubepods-besteffort.slice",
            Kind.KUBEPODS,
            null,
            null,
            null,
            QosClass.BestEffort,
            "kubepods-besteffort.slice"),
        // kind: the kubelet's own cgroup root prefixes every slice name.
        row(
            "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice"
                + "/kubelet-kubepods-besteffort-pod"
                + UID_015_ESCAPED
                + ".slice/cri-containerd-"
                + ID_015
                + ".scope",
            Kind.CONTAINER,
            UID_015,
            ID_015,
            "containerd",
            QosClass.BestEffort,
            "cri-containerd-" + ID_015 + ".scope"),
        // Kubernetes, cgroupfs driver (#006, k3s).
        row(
            "/kubepods/burstable/pod" + UID_006 + "/" + ID_006,
            Kind.CONTAINER,
            UID_006,
            ID_006,
            null,
            QosClass.Burstable,
            null),
        row(
            "/kubepods/burstable/pod" + UID_006,
            Kind.POD,
            UID_006,
            null,
            null,
            QosClass.Burstable,
            null),
        row(
            "/kubepods/pod" + UID_006 + "/" + ID_006,
            Kind.CONTAINER,
            UID_006,
            ID_006,
            null,
            QosClass.Guaranteed,
            null),
        row(
            "/kubepods/besteffort/pod" + UID_006 + "/" + ID_006,
            Kind.CONTAINER,
            UID_006,
            ID_006,
            null,
            QosClass.BestEffort,
            null),
        row("/kubepods", Kind.KUBEPODS, null, null, null, null, null),
        row("/kubepods/burstable", Kind.KUBEPODS, null, null, null, QosClass.Burstable, null),
        row("/kubepods/besteffort/", Kind.KUBEPODS, null, null, null, QosClass.BestEffort, null),
        // Nested: Kubernetes inside a Docker container or a systemd unit.
        row(
            "/docker/" + ID_003 + "/kubepods/burstable/pod" + UID_006 + "/" + ID_006,
            Kind.CONTAINER,
            UID_006,
            ID_006,
            null,
            QosClass.Burstable,
            null),
        row(
            "/system.slice/k3s.service/kubepods/pod" + UID_006 + "/" + ID_006,
            Kind.CONTAINER,
            UID_006,
            ID_006,
            null,
            QosClass.Guaranteed,
            null),
        // Plain Docker (#003 cgroupfs, #004 systemd) and Podman.
        row("/docker/" + ID_003, Kind.DOCKER, null, ID_003, "docker", null, null),
        row(
            "/system.slice/docker-" + ID_004 + ".scope",
            Kind.DOCKER,
            null,
            ID_004,
            "docker",
            null,
            "docker-" + ID_004 + ".scope"),
        row(
            "/machine.slice/libpod-" + ID_004 + ".scope",
            Kind.PODMAN,
            null,
            ID_004,
            "podman",
            null,
            "libpod-" + ID_004 + ".scope"),
        row(
            "/machine.slice/libpod-" + ID_004 + ".scope/container",
            Kind.PODMAN,
            null,
            ID_004,
            "podman",
            null,
            "libpod-" + ID_004 + ".scope"),
        row(
            "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID_004 + ".scope",
            Kind.PODMAN,
            null,
            ID_004,
            "podman",
            null,
            "libpod-" + ID_004 + ".scope"),
        row(
            "/machine.slice/libpod-conmon-" + ID_004 + ".scope",
            Kind.PODMAN,
            null,
            null,
            "podman",
            null,
            "libpod-conmon-" + ID_004 + ".scope"),
        // systemd units and sessions (#009, #010, #013, #018).
        row(
            "/system.slice/containerd.service",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "containerd.service"),
        row(
            "/system.slice/unattended-upgrades.service",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "unattended-upgrades.service"),
        row(
            "/user.slice/user-0.slice/session-3.scope",
            Kind.USER_SESSION,
            null,
            null,
            null,
            null,
            "session-3.scope"),
        row(
            "/user.slice/user-504.slice/session-2.scope",
            Kind.USER_SESSION,
            null,
            null,
            null,
            null,
            "session-2.scope"),
        row(
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "app-foo.scope"),
        row("/system.slice", Kind.SYSTEMD_UNIT, null, null, null, null, "system.slice"),
        // libvirt VM.
        row(
            "/machine.slice/machine-qemu\\x2d1\\x2dubuntu.scope/libvirt/vcpu0",
            Kind.VM,
            null,
            null,
            null,
            null,
            "machine-qemu\\x2d1\\x2dubuntu.scope"),
        row(
            "/machine.slice/machine-qemu\\x2d1\\x2dubuntu.scope",
            Kind.VM,
            null,
            null,
            null,
            null,
            "machine-qemu\\x2d1\\x2dubuntu.scope"),
        // LXC, the root, a bare v1 group (#026) and nothing.
        row("/lxc/101", Kind.OTHER, null, null, null, null, null),
        row(
            "/lxc.payload.web/system.slice/nginx.service",
            Kind.OTHER,
            null,
            null,
            null,
            null,
            null),
        row("/", Kind.OTHER, null, null, null, null, null),
        row("", Kind.OTHER, null, null, null, null, null),
        row("/mem2", Kind.OTHER, null, null, null, null, null),
        // Near misses.
        row(
            "/system.slice/kubepods-cleanup.service",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "kubepods-cleanup.service"),
        row(
            "/system.slice/my-kubepods.slice",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "my-kubepods.slice"),
        row("/kubepods/burstable/podnot-a-uid/" + ID_006, Kind.OTHER, null, null, null, null, null),
        row(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_006 + ".slice",
            Kind.OTHER,
            null,
            null,
            null,
            null,
            null),
        row(
            "/kubepods/burstable/pod" + UID_006 + "/" + ID_006.substring(1),
            Kind.POD,
            UID_006,
            null,
            null,
            QosClass.Burstable,
            null),
        row(
            POD_015 + "/cri-containerd-" + ID_015 + "0.scope",
            Kind.POD,
            UID_015,
            null,
            null,
            QosClass.Burstable,
            "kubepods-burstable-pod" + UID_015_ESCAPED + ".slice"),
        row("/docker/" + ID_003.substring(0, 12), Kind.OTHER, null, null, null, null, null),
        row(
            "/system.slice/docker-" + ID_004.toUpperCase() + ".scope",
            Kind.SYSTEMD_UNIT,
            null,
            null,
            null,
            null,
            "docker-" + ID_004.toUpperCase() + ".scope"),
        row("/kubepods/guaranteed/pod" + UID_006, Kind.OTHER, null, null, null, null, null));
  }

  private static Arguments row(
      String path,
      Kind kind,
      String podUid,
      String containerId,
      String runtime,
      QosClass qos,
      String unit) {
    Workload expected =
        new Workload(
            kind,
            Optional.of(path),
            Optional.ofNullable(podUid),
            Optional.ofNullable(containerId),
            Optional.ofNullable(runtime),
            Optional.ofNullable(qos),
            Optional.ofNullable(unit),
            false);
    return Arguments.of(path, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void decode_knownPath(String path, Workload expected) {
    assertThat(CgroupPaths.decode(path)).isEqualTo(expected);
  }

  @Test
  void decode_null() {
    assertThat(CgroupPaths.decode(null)).isEqualTo(Workload.UNKNOWN);
  }

  @Test
  void decode_anyString_neverThrowsAndKeepsInput() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 200))
        .checkAssert(s -> assertThat(CgroupPaths.decode(s).cgroup()).contains(s));
  }

  @Test
  void decode_pathLikeStrings_neverThrowAndKeepInput() {
    Gen<String> component =
        integers()
            .between(0, 12)
            .map(
                i ->
                    List.of(
                            "kubepods",
                            "kubepods.slice",
                            "burstable",
                            "besteffort",
                            "kubepods-burstable.slice",
                            "pod" + UID_006,
                            "pod",
                            "kubepods-burstable-pod" + UID_015_ESCAPED + ".slice",
                            ID_006,
                            "cri-containerd-" + ID_015 + ".scope",
                            "docker",
                            "x.service",
                            "")
                        .get(i));
    qt().forAll(lists().of(component).ofSizeBetween(0, 8))
        .checkAssert(
            parts -> {
              String path = "/" + String.join("/", parts);
              Workload w = CgroupPaths.decode(path);
              assertThat(w.cgroup()).contains(path);
              assertThat(w.kubevirt()).isFalse();
              if (w.kind() == Kind.CONTAINER) {
                assertThat(w.containerId()).isPresent();
                assertThat(w.podUid()).isPresent();
              }
            });
  }

  @Test
  void looksLikeKubevirt_launcherWithQemu() {
    assertThat(
            CgroupPaths.looksLikeKubevirt(
                List.of("virt-launcher-m", "virt-launcher", "virtqemud", "virtlogd", "qemu-kvm")))
        .isTrue();
  }

  @Test
  void looksLikeKubevirt_launcherAlone() {
    assertThat(CgroupPaths.looksLikeKubevirt(List.of("virt-launcher"))).isTrue();
    assertThat(CgroupPaths.looksLikeKubevirt(List.of("virt-launcher-m"))).isTrue();
  }

  @Test
  void looksLikeKubevirt_libvirtHostWithoutLauncher() {
    assertThat(
            CgroupPaths.looksLikeKubevirt(
                List.of("libvirtd", "virtlogd", "qemu-system-x86", "CPU 0/KVM")))
        .isFalse();
    assertThat(CgroupPaths.looksLikeKubevirt(List.of("virtqemud", "qemu-kvm"))).isFalse();
  }

  @Test
  void looksLikeKubevirt_unrelatedNamesAndEmpty() {
    assertThat(CgroupPaths.looksLikeKubevirt(List.of("java", "virt-launchery", "launcher")))
        .isFalse();
    assertThat(CgroupPaths.looksLikeKubevirt(List.of())).isFalse();
    assertThat(CgroupPaths.looksLikeKubevirt(null)).isFalse();
  }
}
