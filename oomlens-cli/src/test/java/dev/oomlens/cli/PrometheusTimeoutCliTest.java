package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --prometheus-timeout} end to end, against a server that accepts every connection and never
 * answers: each command ends at the timeout with exit 3 and one message naming the server and the
 * query, never a stack trace and never a hang.
 */
class PrometheusTimeoutCliTest {
  @TempDir Path dir;

  private ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              while (!server.isClosed()) {
                try {
                  held.add(server.accept());
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  @Test
  void size_serverNeverAnswers_exit3AtTheTimeout() {
    CliTest.Run r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                CliTest.run(
                    "size",
                    "--prometheus",
                    url(),
                    "--prometheus-timeout",
                    "1s",
                    "--since",
                    "2026-01-10T00:00:00Z",
                    "--until",
                    "2026-01-12T00:00:00Z"));

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .contains(
            url() + "/api/v1/query_range, query container_memory_working_set_bytes{",
            "no answer within 1s")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void verify_serverNeverAnswers_exit3AtTheTimeout() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"),
            """
            since: 2026-02-08T12:30:00Z
            until: 2026-02-09T12:30:00Z
            criteria:
              - name: swap on every host
                expr: node_memory_SwapTotal_bytes == 0
            """);

    CliTest.Run r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                CliTest.run(
                    "verify",
                    "--prometheus",
                    url(),
                    "--prometheus-timeout",
                    "500ms",
                    file.toString()));

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .contains("query node_memory_SwapTotal_bytes == 0", "no answer within 500ms")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void size_zeroTimeout_isAUsageError() {
    CliTest.Run r = CliTest.run("size", "--prometheus", url(), "--prometheus-timeout", "0s");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'0s' is not a positive duration").doesNotContain("Exception");
  }
}
