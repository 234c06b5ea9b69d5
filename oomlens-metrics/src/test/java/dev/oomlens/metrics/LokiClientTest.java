package dev.oomlens.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Loki that never finishes answering: the client gives up at its timeout, naming the query. */
class LokiClientTest {
  private static final String QUERY = "{job=\"kernel\"}";

  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void answer(com.sun.net.httpserver.HttpHandler handler) {
    server.createContext("/loki/api/v1/query_range", handler);
  }

  private String failsWithin(Duration timeout, Duration within) {
    LokiClient client =
        new LokiClient(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Map.of(), timeout);
    long start = System.nanoTime();
    String[] message = new String[1];
    assertThatThrownBy(
            () ->
                client.queryRange(
                    QUERY,
                    Instant.parse("2026-02-08T00:00:00Z"),
                    Instant.parse("2026-02-09T00:00:00Z"),
                    page -> {}))
        .isInstanceOf(PrometheusClient.QueryFailed.class)
        .satisfies(e -> message[0] = e.getMessage());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(within);
    assertThat(message[0]).contains("loki/api/v1/query_range, query " + QUERY);
    return message[0];
  }

  private void hold(HttpExchange exchange) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.close();
  }

  @Test
  void queryRange_serverNeverAnswers_failsAtTheTimeout() {
    answer(this::hold);

    assertThat(failsWithin(Duration.ofSeconds(1), Duration.ofSeconds(5)))
        .endsWith(": no answer within 1s");
  }

  @Test
  void queryRange_headersThenTheBodyStalls_failsAtTheTimeout() {
    answer(
        exchange -> {
          byte[] start =
              "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":["
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, 10_000);
          OutputStream out = exchange.getResponseBody();
          out.write(start);
          out.flush();
          hold(exchange);
        });

    assertThat(failsWithin(Duration.ofSeconds(1), Duration.ofSeconds(5)))
        .endsWith(": answer not complete within 1s");
  }
}
