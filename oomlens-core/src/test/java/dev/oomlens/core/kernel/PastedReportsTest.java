package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * Reports as people paste them into tickets and chats (see {@code pasted/SOURCE.md}): read byte for
 * byte through {@link KernelLogReader}, the way {@code oomlens diagnose} reads a pasted file.
 */
class PastedReportsTest {

  static ReportTestLines.Collected read(String file) {
    return readBytes(file, bytes(file));
  }

  static ReportTestLines.Collected readBytes(String name, byte[] text) {
    ReportTestLines.Collected out = new ReportTestLines.Collected();
    new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)))
        .read(name, new ByteArrayInputStream(text), out);
    return out;
  }

  static byte[] bytes(String file) {
    try (InputStream in = PastedReportsTest.class.getResourceAsStream("/pasted/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource pasted/" + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void read_constraintOnlyAPatchedKernelPrints_keepsTheKernelsWordAndScopeFromShape() {
    ReportTestLines.Collected out = read("bpf-constraint-6.16.log");
    OomReport r = out.only();
    assertThat(out.problems).isEmpty();
    assertThat(r.constraint()).hasValue(new Constraint("CONSTRAINT_BPF_PSI_MEM"));
    assertThat(r.constraint().orElseThrow().isKnown()).isFalse();
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.oomMemcg()).hasValue("/cgroup-test-work-dir673/oom_test/cg2");
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("test_progs");
    assertThat(r.complete()).isTrue();
  }
}
