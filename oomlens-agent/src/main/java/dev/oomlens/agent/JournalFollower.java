package dev.oomlens.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.host.kmsg.KmsgFollower;
import dev.oomlens.host.kmsg.LogFollower;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/*
 * The fallback where /dev/kmsg cannot be read (no CAP_SYSLOG, a container without the device):
 * journald's copy of the kernel's messages, followed with journalctl. Each message becomes a
 * record in the /dev/kmsg format, so the capture behind it is the same. The journal does not keep
 * the kernel's sequence numbers, so each record is numbered from its kernel time
 * (_SOURCE_MONOTONIC_TIMESTAMP, microseconds since boot): usec x 64 + its rank among the messages
 * of the same microsecond. Reading always starts at the boot's first message (-b), so the numbers
 * are the same on every run and the cursor, kept as for /dev/kmsg, skips what was read before.
 */

/** Follows {@code journalctl -k -b -f -o json} and hands its messages over as kmsg records. */
final class JournalFollower implements LogFollower {
  static final List<String> COMMAND = command(List.of());

  /**
   * journalctl's arguments, reading the journal {@code source} names ({@code --root=DIR} for a
   * host's root mounted elsewhere, or nothing for this machine's).
   */
  static List<String> command(List<String> source) {
    List<String> c = new java.util.ArrayList<>(List.of("journalctl"));
    c.addAll(source);
    c.addAll(List.of("-k", "-b", "-f", "-o", "json", "--no-pager", "-q"));
    return List.copyOf(c);
  }

  private static final Object EOF = new Object();

  private final List<String> command;
  private final long afterSequence;
  private final Process process;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
  private final ObjectMapper json = new ObjectMapper();
  private volatile boolean closed;
  private String failure;
  private long lastMicros = -1;
  private int rank;

  private JournalFollower(List<String> command, long afterSequence, Process process) {
    this.command = command;
    this.afterSequence = afterSequence;
    this.process = process;
    Thread reader = new Thread(this::read, "oomlens-journal-follow");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} (journalctl's arguments as {@link #COMMAND}); records at or below {@code
   * afterSequence} are skipped.
   *
   * @throws IOException when the command cannot be started (journalctl missing)
   */
  static JournalFollower start(List<String> command, long afterSequence) throws IOException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    return new JournalFollower(List.copyOf(command), afterSequence, p);
  }

  @Override
  public String name() {
    return String.join(" ", command.subList(0, Math.min(4, command.size())));
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        queue.put(line);
      }
    } catch (IOException e) {
      // The process ended or was stopped; EOF tells the follower.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.offer(EOF);
  }

  @Override
  public KmsgFollower.End follow(KmsgFollower.Listener listener) {
    long quietSince = System.nanoTime();
    while (!closed) {
      Object item;
      try {
        item = queue.poll(listener.quietPeriod().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        return KmsgFollower.End.CLOSED;
      }
      if (item == null) {
        listener.quiet(java.time.Duration.ofNanos(System.nanoTime() - quietSince));
        continue;
      }
      if (item == EOF) {
        if (closed) {
          return KmsgFollower.End.CLOSED;
        }
        failure =
            name() + " ended" + (process.isAlive() ? "" : " with status " + process.exitValue());
        return KmsgFollower.End.DEVICE_FAILED;
      }
      quietSince = System.nanoTime();
      hand((String) item, listener);
    }
    return KmsgFollower.End.CLOSED;
  }

  private void hand(String line, KmsgFollower.Listener listener) {
    JsonNode entry;
    try {
      entry = json.readTree(line);
    } catch (IOException e) {
      return; // not an entry (journalctl's own notices are quieted with -q)
    }
    long micros;
    try {
      micros = Long.parseLong(entry.path("_SOURCE_MONOTONIC_TIMESTAMP").asText(""));
    } catch (NumberFormatException e) {
      return; // a kernel message always has its time; anything else is not one
    }
    rank = micros == lastMicros ? rank + 1 : 0;
    lastMicros = micros;
    long seq = micros * 64 + Math.min(rank, 63);
    if (seq <= afterSequence) {
      return;
    }
    String message = message(entry.path("MESSAGE"));
    int prio = entry.path("PRIORITY").asInt(6);
    // One kmsg record per line: the journal keeps a message's line breaks as they were.
    for (String part : message.split("\n", -1)) {
      listener.record(seq, micros, prio + "," + seq + "," + micros + ",-;" + part);
    }
  }

  /** MESSAGE as text: a string, or (not UTF-8) an array of bytes. */
  static String message(JsonNode node) {
    if (node.isArray()) {
      byte[] bytes = new byte[node.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) node.get(i).asInt();
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return node.asText("");
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public long recordsLost() {
    return 0;
  }

  @Override
  public void close() {
    closed = true;
    queue.offer(EOF);
    // Our own child, by its handle.
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<String> command(String journalctl) {
    List<String> c = new ArrayList<>(COMMAND);
    c.set(0, journalctl);
    return c;
  }
}
