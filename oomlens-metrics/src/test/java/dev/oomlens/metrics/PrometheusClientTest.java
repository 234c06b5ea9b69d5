package dev.oomlens.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.oomlens.core.series.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PrometheusClient} against a loopback server that misbehaves on purpose, written on a raw
 * socket so it can do what no well-behaved server does: accept and never answer, send headers and
 * stall the body, cut an answer half-way. Each query must end with a {@link
 * PrometheusClient.QueryFailed} naming the server and the query, within its timeout, and leave no
 * thread and no connection open behind it.
 */
class PrometheusClientTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration STEP = Duration.ofSeconds(30);

  /** Ten points a chunk, twenty points in all: two chunks, the second sent while one is read. */
  static final int POINTS = 10;

  static final String QUERY = "container_memory_working_set_bytes{container!=\"\"}";

  /** What the server does with the request for one chunk. */
  interface Behaviour {
    void answer(int chunk, Socket s, InputStream in, OutputStream out) throws Exception;
  }

  private ServerSocket server;
  private Thread acceptor;
  private volatile Behaviour behaviour;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();

  /** One accepted connection, and whether the client has closed it. */
  record Connection(int chunk, CountDownLatch closedByClient, boolean[] closedByServer) {}

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (!server.isClosed()) {
                    try {
                      Socket s = server.accept();
                      Thread.ofPlatform().daemon().start(() -> serve(s));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    acceptor.join(5_000);
  }

  private void serve(Socket s) {
    Connection c = null;
    try (s) {
      InputStream in = s.getInputStream();
      String form = readRequest(in);
      int chunk = chunkOf(form);
      c = new Connection(chunk, new CountDownLatch(1), new boolean[1]);
      connections.add(c);
      behaviour.answer(chunk, s, in, s.getOutputStream());
      // Whatever was answered, wait for the client to let the connection go: a read ends at its
      // close (or reset), or when the server shuts down after the test.
      while (in.read() >= 0) {
        // a client has nothing more to send on this connection
      }
      c.closedByClient().countDown();
    } catch (Exception e) {
      if (c != null && !server.isClosed()) {
        c.closedByClient().countDown();
      }
    }
  }

  /** Reads one POST request; the form in its body. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the client closed before its request was whole");
      }
      head.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : 0;
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static int chunkOf(String form) {
    for (String kv : form.split("&")) {
      if (kv.startsWith("start=")) {
        double start =
            Double.parseDouble(URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8));
        return (int) ((start - T0.getEpochSecond()) / (STEP.toSeconds() * POINTS));
      }
    }
    throw new IllegalStateException("no start in " + form);
  }

  /** Prometheus's answer for one chunk: one series, its ten points. */
  static byte[] matrix(int chunk) {
    StringBuilder b =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
                + "{\"namespace\":\"n\",\"pod\":\"p\",\"container\":\"c\"},\"values\":[");
    for (int i = 0; i < POINTS; i++) {
      long t = T0.getEpochSecond() + (chunk * POINTS + i) * STEP.toSeconds();
      b.append(i == 0 ? "" : ",")
          .append('[')
          .append(t)
          .append(",\"")
          .append(1000 + i)
          .append("\"]");
    }
    return b.append("]}]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static void headers(OutputStream out, int status, int length) throws IOException {
    out.write(
        ("HTTP/1.1 "
                + status
                // so a whole answer ends its connection, and a connection left open is a leak
                + " X\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
                + length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  static void answer(OutputStream out, int chunk) throws IOException {
    byte[] body = matrix(chunk);
    headers(out, 200, body.length);
    out.write(body);
    out.flush();
  }

  private PrometheusClient client(Duration timeout) {
    return new PrometheusClient(
        URI.create("http://127.0.0.1:" + server.getLocalPort()), Map.of(), timeout);
  }

  private long query(PrometheusClient client, List<Series> out) throws Exception {
    return client.queryRange(
        QUERY,
        T0,
        T0.plus(STEP.multipliedBy(2 * POINTS - 1)),
        STEP,
        POINTS,
        l -> Series.Role.WORKING_SET,
        out::add);
  }

  /** The query fails, naming the server and the query, within {@code within}. */
  private String failsWithin(Duration timeout, Duration within) {
    PrometheusClient client = client(timeout);
    long t0 = System.nanoTime();
    AtomicLong tookMillis = new AtomicLong();
    String[] message = new String[1];
    assertTimeoutPreemptively(
        within.plusSeconds(10),
        () ->
            assertThatThrownBy(() -> query(client, new ArrayList<>()))
                .isInstanceOfSatisfying(
                    PrometheusClient.QueryFailed.class,
                    e -> {
                      tookMillis.set((System.nanoTime() - t0) / 1_000_000);
                      message[0] = e.getMessage();
                    }));
    assertThat(message[0])
        .startsWith("http://127.0.0.1:" + server.getLocalPort() + "/api/v1/query_range, query ")
        .contains(QUERY);
    assertThat(tookMillis.get()).as("ms to fail").isLessThan(within.toMillis());
    return message[0];
  }

  /**
   * Every connection the server did not close itself is closed by the client, and its threads end.
   */
  private void nothingLeftBehind() throws InterruptedException {
    for (Connection c : connections) {
      if (!c.closedByServer()[0]) {
        assertThat(c.closedByClient().await(5, TimeUnit.SECONDS))
            .as("the connection of chunk %d is closed by the client", c.chunk())
            .isTrue();
      }
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<String> left = ourThreads();
    while (!left.isEmpty() && System.nanoTime() < until) {
      Thread.sleep(50);
      left = ourThreads();
    }
    assertThat(left).as("the client's threads still alive").isEmpty();
  }

  private static List<String> ourThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("oomlens-prometheus"))
        .toList();
  }

  @Test
  void human_writesDurationsAsTheOptionsTakeThem() {
    assertThat(PrometheusClient.human(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThat(PrometheusClient.human(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(PrometheusClient.human(Duration.ofMillis(120_500))).isEqualTo("120500ms");
  }

  @Test
  void queryRange_twoChunks_readsBoth() throws Exception {
    behaviour = (chunk, s, in, out) -> answer(out, chunk);
    List<Series> got = new ArrayList<>();

    long samples = query(client(Duration.ofSeconds(30)), got);

    assertThat(samples).isEqualTo(2 * POINTS);
    assertThat(connections).extracting(Connection::chunk).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void queryRange_serverAcceptsAndNeverAnswers_failsAtTheTimeout() throws Exception {
    behaviour = (chunk, s, in, out) -> {};

    String message = failsWithin(Duration.ofSeconds(1), Duration.ofSeconds(4));

    assertThat(message).endsWith(": no answer within 1s");
    nothingLeftBehind();
  }

  @Test
  void queryRange_headersThenTheBodyStalls_failsAtTheTimeout() throws Exception {
    behaviour =
        (chunk, s, in, out) -> {
          byte[] body = matrix(chunk);
          headers(out, 200, body.length);
          out.write(body, 0, body.length / 2);
          out.flush();
        };

    String message = failsWithin(Duration.ofSeconds(1), Duration.ofSeconds(4));

    assertThat(message).endsWith(": answer not complete within 1s");
    nothingLeftBehind();
  }

  @Test
  void queryRange_secondChunkRefusedWhileTheFirstIsRead_failsNamingIt() throws Exception {
    CountDownLatch secondRefused = new CountDownLatch(1);
    behaviour =
        (chunk, s, in, out) -> {
          if (chunk == 1) {
            byte[] error =
                "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in query execution\"}"
                    .getBytes(StandardCharsets.UTF_8);
            headers(out, 503, error.length);
            out.write(error);
            out.flush();
            secondRefused.countDown();
            return;
          }
          byte[] body = matrix(chunk);
          headers(out, 200, body.length);
          out.write(body, 0, body.length / 2);
          out.flush();
          // the rest of the first answer only once the second has been refused
          secondRefused.await(10, TimeUnit.SECONDS);
          out.write(body, body.length / 2, body.length - body.length / 2);
          out.flush();
        };

    String message = failsWithin(Duration.ofSeconds(30), Duration.ofSeconds(10));

    assertThat(message).endsWith(": HTTP 503: timeout: query timed out in query execution");
    nothingLeftBehind();
  }

  @Test
  void queryRange_firstAnswerCutWhileTheSecondIsInFlight_givesTheSecondUp() throws Exception {
    behaviour =
        (chunk, s, in, out) -> {
          if (chunk == 1) {
            return; // never answered: only the client can end it
          }
          byte[] body = matrix(chunk);
          headers(out, 200, body.length);
          out.write(body, 0, body.length / 2);
          out.flush();
          connections.stream()
              .filter(c -> c.chunk() == 0)
              .forEach(c -> c.closedByServer()[0] = true);
          s.close();
        };

    // far below the timeout: the cut ends the query, and the second request is cancelled with it
    String message = failsWithin(Duration.ofSeconds(60), Duration.ofSeconds(10));

    assertThat(message).doesNotContain("within");
    assertThat(connections).extracting(Connection::chunk).contains(1);
    nothingLeftBehind();
  }

  @Test
  void queryRange_bothChunksFail_reportsTheFirst() throws Exception {
    CountDownLatch secondDropped = new CountDownLatch(1);
    behaviour =
        (chunk, s, in, out) -> {
          connections.stream()
              .filter(c -> c.chunk() == chunk)
              .forEach(c -> c.closedByServer()[0] = true);
          if (chunk == 1) {
            s.close();
            secondDropped.countDown();
            return;
          }
          // the first fails only once the second has failed too, so both are done when the
          // query gives the second up
          secondDropped.await(10, TimeUnit.SECONDS);
          Thread.sleep(200);
          s.close();
        };

    String message = failsWithin(Duration.ofSeconds(30), Duration.ofSeconds(10));

    assertThat(message).doesNotContain("within");
    nothingLeftBehind();
  }

  @Test
  void queryRange_commonPoolBusy_stillAnswered() throws Exception {
    // The JDK completes HttpClient.sendAsync's future on the common pool: with its workers all
    // blocked (as reading an answer there blocks one), an answer that had come was never handed
    // over, and `oomlens size` hung. The client must not need that pool.
    behaviour = (chunk, s, in, out) -> answer(out, chunk);
    CountDownLatch release = new CountDownLatch(1);
    int workers = ForkJoinPool.getCommonPoolParallelism();
    CountDownLatch blocked = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      ForkJoinPool.commonPool()
          .execute(
              () -> {
                blocked.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
    }
    try {
      assertThat(blocked.await(10, TimeUnit.SECONDS)).as("every common pool worker busy").isTrue();
      long samples =
          assertTimeoutPreemptively(
              Duration.ofSeconds(20),
              () -> query(client(Duration.ofSeconds(60)), new ArrayList<>()));
      assertThat(samples).isEqualTo(2 * POINTS);
    } finally {
      release.countDown();
    }
  }
}
