package dev.oomlens.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A log message with variable fields, parsed once and rendered many times. Fields are written in
 * braces: {@code {n:MIN-MAX}} a decimal number, {@code {x:N}} N hex digits, {@code {c:a|b|c}} one
 * of the choices, {@code {ip}}, {@code {mac}}, {@code {uuid}} (dashes), {@code {uuid_}}
 * (underscores, as systemd slices spell pod UIDs), {@code {pid}} and {@code {comm}}.
 */
final class LinePattern {
  /** Process names that ordinary lines and varied reports draw from (at most 15 characters). */
  static final String[] COMMS = {
    "java",
    "python3",
    "node",
    "postgres",
    "redis-server",
    "nginx",
    "mysqld",
    "chrome",
    "stress-ng-vm",
    "dotnet",
    "ruby",
    "php-fpm8.2",
    "gunicorn",
    "uwsgi",
    "envoy",
    "kubelet",
    "containerd",
    "dockerd",
    "qemu-system-x86",
    "virt-launcher",
    "elasticsearch",
    "mongod",
    "clickhouse-serv",
    "prometheus",
    "grafana-server",
    "etcd",
    "kube-apiserver",
    "coredns",
    "celery",
    "sidekiq",
    "beam.smp",
    "influxd",
    "memcached",
    "haproxy",
    "rsyslogd",
    "Web Content",
    "firefox",
    "code",
    "gradle-daemon",
    "cc1plus",
    "rustc",
    "ld.lld",
    "ffmpeg",
    "zoom",
  };

  private interface Part {
    void render(ByteBuf out, SplittableRandom rnd);
  }

  private final List<Part> parts = new ArrayList<>();
  private final String source;

  LinePattern(String pattern) {
    this.source = pattern;
    int i = 0;
    StringBuilder literal = new StringBuilder();
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = pattern.indexOf('}', i);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed field in " + pattern);
      }
      if (!literal.isEmpty()) {
        byte[] b = ascii(literal.toString());
        parts.add((out, rnd) -> out.append(b));
        literal.setLength(0);
      }
      parts.add(field(pattern.substring(i + 1, close)));
      i = close + 1;
    }
    if (!literal.isEmpty()) {
      byte[] b = ascii(literal.toString());
      parts.add((out, rnd) -> out.append(b));
    }
  }

  void render(ByteBuf out, SplittableRandom rnd) {
    for (Part p : parts) {
      p.render(out, rnd);
    }
  }

  @Override
  public String toString() {
    return source;
  }

  private static byte[] ascii(String s) {
    byte[] b = new byte[s.length()];
    for (int i = 0; i < b.length; i++) {
      char c = s.charAt(i);
      if (c > 126) {
        throw new IllegalArgumentException("not ASCII: " + s);
      }
      b[i] = (byte) c;
    }
    return b;
  }

  private static Part field(String spec) {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String arg = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "n" -> {
        int dash = arg.indexOf('-');
        long min = Long.parseLong(arg.substring(0, dash));
        long max = Long.parseLong(arg.substring(dash + 1));
        return (out, rnd) -> out.decimal(rnd.nextLong(min, max + 1));
      }
      case "x" -> {
        int digits = Integer.parseInt(arg);
        return (out, rnd) -> {
          for (int left = digits; left > 0; left -= 15) {
            int d = Math.min(15, left);
            out.hex(rnd.nextLong(), d);
          }
        };
      }
      case "c" -> {
        String[] choices = arg.split("\\|", -1);
        byte[][] b = new byte[choices.length][];
        for (int k = 0; k < choices.length; k++) {
          b[k] = ascii(choices[k]);
        }
        return (out, rnd) -> out.append(b[rnd.nextInt(b.length)]);
      }
      case "ip" -> {
        return (out, rnd) -> {
          int first = rnd.nextInt(4);
          out.decimal(first == 0 ? 10 : first == 1 ? 172 : first == 2 ? 192 : rnd.nextInt(1, 224));
          out.append('.').decimal(rnd.nextInt(256)).append('.').decimal(rnd.nextInt(256));
          out.append('.').decimal(rnd.nextInt(1, 255));
        };
      }
      case "mac" -> {
        return (out, rnd) -> {
          for (int k = 0; k < 6; k++) {
            if (k > 0) {
              out.append(':');
            }
            out.hex(rnd.nextInt(256), 2);
          }
        };
      }
      case "uuid", "uuid_" -> {
        char sep = kind.equals("uuid") ? '-' : '_';
        return (out, rnd) -> {
          out.hex(rnd.nextLong(), 8).append(sep).hex(rnd.nextLong(), 4).append(sep);
          out.hex(rnd.nextLong(), 4).append(sep).hex(rnd.nextLong(), 4).append(sep);
          out.hex(rnd.nextLong(), 12);
        };
      }
      case "pid" -> {
        // a quarter are long-lived daemons started early; the rest anywhere up to pid_max
        return (out, rnd) ->
            out.decimal(
                rnd.nextInt(4) == 0 ? rnd.nextInt(300, 5000) : rnd.nextInt(5000, 4_194_304));
      }
      case "comm" -> {
        byte[][] b = new byte[COMMS.length][];
        for (int k = 0; k < COMMS.length; k++) {
          b[k] = ascii(COMMS[k]);
        }
        return (out, rnd) -> out.append(b[rnd.nextInt(b.length)]);
      }
      default -> throw new IllegalArgumentException("unknown field {" + spec + "}");
    }
  }
}
