package dev.oomlens.host.kmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KmsgFollowerTest {
  private static final Path DEV = Path.of("/dev/kmsg");

  /** Collects what the follower hands over and closes it once the log has gone quiet. */
  private static final class Collect implements KmsgFollower.Listener {
    final List<Long> seqs = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<long[]> lost = new ArrayList<>();
    int quiets;
    KmsgFollower follower;

    @Override
    public void record(long sequence, long micros, String text) {
      seqs.add(sequence);
      texts.add(text);
    }

    @Override
    public void lost(long first, long last) {
      lost.add(new long[] {first, last});
    }

    @Override
    public void quiet(Duration quietFor) {
      // Two quiets after the first record (a loaded machine may start the reader late), or 2 s.
      if ((++quiets >= 2 && !seqs.isEmpty()) || quiets >= 100) {
        follower.close();
      }
    }

    @Override
    public Duration quietPeriod() {
      return Duration.ofMillis(20);
    }
  }

  private static Collect follow(FakeDevice device, long after) throws Exception {
    Collect c = new Collect();
    c.follower = KmsgFollower.open(DEV, p -> device, after);
    KmsgFollower.End end =
        CompletableFuture.supplyAsync(() -> c.follower.follow(c)).get(10, TimeUnit.SECONDS);
    assertThat(end).isEqualTo(KmsgFollower.End.CLOSED);
    return c;
  }

  @Test
  void follow_handsEveryRecordOnceInOrder_thenReportsQuiet() throws Exception {
    Collect c =
        follow(
            FakeDevice.blockingAfter(
                "6,1,100,-;a\n", "6,2,200,-;b\n SUBSYSTEM=x\n", "6,3,300,-;c\n"),
            -1);
    assertThat(c.seqs).containsExactly(1L, 2L, 3L);
    assertThat(c.texts.get(1)).isEqualTo("6,2,200,-;b\n SUBSYSTEM=x");
    assertThat(c.lost).isEmpty();
    assertThat(c.quiets).isGreaterThanOrEqualTo(2);
  }

  @Test
  void follow_afterSequence_skipsWhatAnEarlierRunRead_andNamesTheGapWhileItWasDown()
      throws Exception {
    Collect resumed =
        follow(
            FakeDevice.blockingAfter(
                "6,5,100,-;old\n", "6,6,200,-;read before\n", "6,7,300,-;new\n"),
            6);
    assertThat(resumed.seqs).containsExactly(7L);
    assertThat(resumed.lost).isEmpty();

    // The ring buffer moved past the cursor while the agent was down: 7 and 8 are gone.
    Collect gap = follow(FakeDevice.blockingAfter("6,9,100,-;x\n", "6,10,200,-;y\n"), 6);
    assertThat(gap.seqs).containsExactly(9L, 10L);
    assertThat(gap.lost).singleElement().satisfies(l -> assertThat(l).containsExactly(7, 8));
  }

  @Test
  void follow_overrun_countsTheLostRecordsAndGoesOn() throws Exception {
    Collect c =
        follow(
            FakeDevice.blockingAfter(
                "6,1,100,-;a\n", new IOException("Broken pipe"), "6,5,200,-;e\n", "6,6,300,-;f\n"),
            -1);
    assertThat(c.seqs).containsExactly(1L, 5L, 6L);
    assertThat(c.lost).singleElement().satisfies(l -> assertThat(l).containsExactly(2, 4));
    assertThat(c.follower.recordsLost()).isEqualTo(3);
  }

  @Test
  void follow_deviceFails_endsSayingHow() throws Exception {
    FakeDevice device = FakeDevice.blockingAfter("6,1,100,-;a\n", new IOException("I/O error"));
    Collect c = new Collect();
    c.follower = KmsgFollower.open(DEV, p -> device, -1);
    KmsgFollower.End end = c.follower.follow(c);
    assertThat(end).isEqualTo(KmsgFollower.End.DEVICE_FAILED);
    assertThat(c.follower.failure()).isEqualTo("reading /dev/kmsg failed: I/O error");
    c.follower.close();
  }

  @Test
  void open_refusedByDmesgRestrict_namesCapSyslog() {
    assertThatThrownBy(
            () ->
                KmsgFollower.open(
                    DEV,
                    p -> {
                      throw new FileSystemException(p.toString(), null, "Operation not permitted");
                    },
                    -1))
        .isInstanceOf(KmsgFollower.OpenException.class)
        .hasMessageContaining("CAP_SYSLOG")
        .hasMessageContaining("/dev/kmsg");
    assertThatThrownBy(
            () ->
                KmsgFollower.open(
                    DEV,
                    p -> {
                      throw new AccessDeniedException(p.toString());
                    },
                    -1))
        .hasMessageStartingWith("cannot read /dev/kmsg: permission denied");
  }
}
