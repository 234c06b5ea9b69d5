package dev.oomlens.host.snapshot;

import dev.oomlens.host.paths.HostPaths;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The host trees under {@code src/test/resources/hosts}. */
final class Fixtures {
  private Fixtures() {}

  static Path hosts() {
    URL url = Fixtures.class.getResource("/hosts");
    if (url == null) {
      throw new IllegalStateException("test resources have no hosts/ directory");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path root(String scenario) {
    return hosts().resolve(scenario);
  }

  static HostPaths paths(String scenario) {
    return HostPaths.under(root(scenario));
  }
}
