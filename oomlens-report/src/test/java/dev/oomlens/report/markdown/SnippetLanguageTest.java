package dev.oomlens.report.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SnippetLanguageTest {
  static Stream<Arguments> snippets() {
    return Stream.of(
        Arguments.of("resources:\n  limits:\n    memory: \"750Mi\"\n", "yaml"),
        Arguments.of("containers:\n- name: app\n", "yaml"),
        Arguments.of("- name: JAVA_TOOL_OPTIONS\n  value: \"-XX:MaxRAMPercentage=60.0\"\n", "yaml"),
        Arguments.of("# systemctl edit nix-daemon.service\n[Service]\nMemoryMax=272M\n", "ini"),
        Arguments.of(
            "# zram-generator: /etc/systemd/zram-generator.conf\n[zram0]\n"
                + "zram-size = ram / 2\n",
            "ini"),
        Arguments.of("# /etc/sysctl.d/90-sysrq.conf\nkernel.sysrq = 176   # no SysRq-f\n", "ini"),
        Arguments.of("zramSwap.enable = true;\nzramSwap.memoryPercent = 50;\n", "nix"),
        Arguments.of("zramSwap = {\n  enable = true;\n};\n", "nix"),
        Arguments.of(
            "# session-2.scope is transient\nsystemctl set-property --runtime x\n", "shell"),
        Arguments.of("echo 2097152 > /sys/fs/cgroup/memory/mem2/memory.limit_in_bytes\n", "shell"),
        Arguments.of("-XX:MaxRAMPercentage=60.0 -Xss1M\n", "shell"),
        Arguments.of("JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=60.0\"\n", "shell"),
        Arguments.of("# Prometheus\nincrease(container_oom_events_total[1h]) > 2\n", "promql"),
        Arguments.of("node_memory_SwapTotal_bytes{instance=\"a\"} > 0\n", "promql"),
        Arguments.of("# /etc/fstab\ntmpfs  /tmp  tmpfs  size=1G  0 0\n", "text"),
        Arguments.of("# only a comment\n", "text"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("snippets")
  void of_snippet_givesItsLanguage(String snippet, String language) {
    assertThat(SnippetLanguage.of(snippet)).isEqualTo(language);
  }
}
