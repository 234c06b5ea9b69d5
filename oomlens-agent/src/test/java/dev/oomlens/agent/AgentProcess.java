package dev.oomlens.agent;

import dev.oomlens.host.kmsg.KmsgReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent as a process of its own, so a test can SIGKILL it (the CLI's jar is built after this
 * module's tests run). Arguments: the history file; it serves /metrics on 127.0.0.1 at a free port
 * and prints {@code port N} once it follows the kernel log.
 */
public final class AgentProcess {
  private AgentProcess() {}

  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    Agent agent =
        new Agent(
            new Agent.Options(
                Path.of(args[0]),
                Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                Duration.ofSeconds(5),
                HostPaths.DEFAULT,
                KmsgReader.DEVICE,
                Duration.ofDays(1),
                64L << 20,
                Warnings.Thresholds.DEFAULTS,
                Optional.empty()),
            Clock.systemUTC(),
            out);
    agent.start();
    out.println("port " + agent.port());
    agent.run();
  }
}
