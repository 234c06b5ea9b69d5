package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void scrape_hostileLabelValues_escapedPerTheExpositionFormat() throws Exception {
    try (Metrics m = new Metrics()) {
      m.kills
          .labelValues("container", "limit", "", "uid", "c1", "evil\"unit\\\nnext 1", "MEMCG-LIMIT")
          .inc();
      m.historyWritable.set(1);
      int port = m.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(body).contains("unit=\"evil\\\"unit\\\\\\nnext 1\"");
      assertThat(body.lines().filter(l -> l.startsWith("next 1"))).isEmpty();
      assertThat(body).contains("oomlens_history_writable 1.0");
    }
  }
}
