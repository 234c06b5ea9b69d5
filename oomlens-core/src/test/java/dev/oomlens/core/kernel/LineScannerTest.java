package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineScannerTest {

  private static RecordingHandler scan(String input, int bufferBytes) throws IOException {
    RecordingHandler recorder = new RecordingHandler();
    LineScanner scanner = new LineScanner(recorder, bufferBytes);
    scanner.scan(new ByteArrayInputStream(input.getBytes(UTF_8)));
    return recorder;
  }

  @Test
  void scan_handsOnAnchorLinesWithTheirNumbers() throws IOException {
    String log =
        """
        [    1.0] usb 1-1: new device
        [    2.0] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0
        [    2.5] btrfs: scrub: will refill 389 stripes; still waiting for firmware: failure
        [    3.0] EXT4-fs (vda1): mounted
        [    4.0] Out of memory: Killed process 42 (stress)
        [    5.0] swapper: page allocation failure: order:4, mode:0x40cc0
        [    6.0] eth0: link up
        """;

    RecordingHandler r = scan(log, LineScanner.DEFAULT_MAX_LINE_BYTES);

    assertThat(r.lines)
        .containsExactly(
            "2:[    2.0] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0",
            "5:[    4.0] Out of memory: Killed process 42 (stress)",
            "6:[    5.0] swapper: page allocation failure: order:4, mode:0x40cc0");
  }

  @Test
  void scan_handsOnEveryLineWhileTheHandlerAsks() throws IOException {
    String log = "a\noom-start\nb\nc\noom-stop\nd\ne oom\n";

    RecordingHandler r = scan(log, 16);

    assertThat(r.lines).containsExactly("2:oom-start", "3:b", "4:c", "5:oom-stop", "7:e oom");
  }

  @Test
  void scan_skipsWordsThatOnlyLookLikeAnchors() throws IOException {
    String log = "will fill\nstill: failure\nno killable processes\nfailure: order:2\nwilling\n";

    RecordingHandler r = scan(log, 64);

    assertThat(r.lines).containsExactly("3:no killable processes", "4:failure: order:2");
  }

  @Test
  void scan_lastLineWithoutNewlineIsHandedOn() throws IOException {
    assertThat(scan("x\nKilled process 1 (a)", 64).lines).containsExactly("2:Killed process 1 (a)");
  }

  @Test
  void scan_lineLongerThanBufferIsCutAndReported() throws IOException {
    String longLine = "oom" + "x".repeat(100);

    RecordingHandler r = scan("first\n" + longLine + "\nafter oom\n", 32);

    assertThat(r.lines).containsExactly("2:" + longLine.substring(0, 32), "3:after oom");
    assertThat(r.tooLong).containsExactly(2L);
  }

  private static final String[] TOKENS = {
    "oom",
    "ill",
    "failure",
    "x",
    "yz",
    "\n",
    "\n",
    "\n",
    "\r",
    "\u00e9",
    "\0",
    "oom-start",
    "oom-stop",
    "o",
    "om",
    "fail",
    "ure",
    "k",
    "K",
    "0123456789abcdef",
    "\u0000\n",
    "Kill",
    "will",
    "failure: order",
    ". order",
    ": ord",
    "vict",
    "vic",
    "nohang",
    "noh",
    "no",
    "ki",
    "Ki",
    "oo",
    "fa"
  };

  /** What the scanner's contract says a line of interest is, written independently of it. */
  private static final java.util.regex.Pattern INTERESTING =
      java.util.regex.Pattern.compile("oom|[Kk]ill|failure[:.] order|vict|nohang");

  /**
   * The scanner must hand on exactly what a line-by-line reading would pick, whatever the buffer
   * size.
   */
  @Test
  void scan_agreesWithLineByLineModel() {
    qt().withExamples(2000)
        .forAll(
            lists().of(integers().between(0, TOKENS.length - 1)).ofSizeBetween(0, 120),
            integers().between(16, 48))
        .checkAssert(
            (tokens, bufferBytes) -> {
              StringBuilder sb = new StringBuilder();
              tokens.forEach(i -> sb.append(TOKENS[i]));
              String input = sb.toString();
              RecordingHandler actual;
              try {
                actual = scan(input, bufferBytes);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
              assertThat(actual.lines).isEqualTo(model(input.getBytes(UTF_8), bufferBytes));
              ParallelFileScannerTest.assertPlacesHoldTheLines(input.getBytes(UTF_8), actual);
            });
  }

  private static List<String> model(byte[] input, int bufferBytes) {
    List<String> out = new ArrayList<>();
    boolean open = false;
    int start = 0;
    long number = 1;
    while (start < input.length) {
      int nl = start;
      while (nl < input.length && input[nl] != '\n') {
        nl++;
      }
      byte[] line = Arrays.copyOfRange(input, start, nl);
      String text = new String(line, UTF_8);
      boolean anchor =
          INTERESTING
              .matcher(new String(line, java.nio.charset.StandardCharsets.ISO_8859_1))
              .find();
      if (line.length >= bufferBytes) {
        text = new String(Arrays.copyOf(line, bufferBytes), UTF_8);
      }
      if (open || anchor || line.length >= bufferBytes) {
        out.add(number + ":" + text);
        if (text.contains("oom-start")) {
          open = true;
        } else if (text.contains("oom-stop")) {
          open = false;
        }
      }
      number++;
      start = nl + 1;
    }
    return out;
  }

  @Test
  void scan_readsStreamsThatReturnFewBytesAtATime() throws IOException {
    byte[] data = "a\nb oom\nc\nd Kill\n".getBytes(UTF_8);
    InputStream trickle =
        new InputStream() {
          int pos;

          @Override
          public int read() {
            return pos < data.length ? data[pos++] : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
              return -1;
            }
            b[off] = data[pos++];
            return 1;
          }
        };
    RecordingHandler r = new RecordingHandler();
    new LineScanner(r, 16).scan(trickle);

    assertThat(r.lines).containsExactly("2:b oom", "4:d Kill");
  }

  @Test
  void indexOf_findsTheFirstMatchAsAByteLoopDoes() {
    // Bytes next to the one sought (a borrow's neighbours), 0x00, 0x80 and 0xFF, at every
    // alignment and range: the eight-bytes-a-step search must never report a later or a false one.
    byte[] alphabet = {'\n', '\n' + 1, '\n' - 1, 0, (byte) 0x80, (byte) 0xFF, 'a', 1};
    Random random = new Random(1206);
    for (int n = 0; n < 200_000; n++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = alphabet[random.nextInt(random.nextBoolean() ? 2 : alphabet.length)];
      }
      byte value = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) '\n';
      int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
      int to = from + random.nextInt(b.length - from + 1);
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == value) {
          expected = i;
          break;
        }
      }
      assertThat(LineScanner.indexOf(b, value, from, to))
          .as("case %d: %s in %s [%d, %d)", n, value, Arrays.toString(b), from, to)
          .isEqualTo(expected);
    }
  }
}
