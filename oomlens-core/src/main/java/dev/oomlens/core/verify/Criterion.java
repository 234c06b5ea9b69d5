package dev.oomlens.core.verify;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Quantity;
import java.util.Optional;

/**
 * One success criterion: an expression that returns the series that are wrong (an alerting rule's
 * condition); it passes when it returns none anywhere in the window.
 *
 * @param line the line of the criteria file it was written on (0 when built another way)
 * @param check the built-in check it expands, when it is one ({@code swap-present}, ...)
 */
public record Criterion(String name, String expr, long line, Optional<String> check) {
  public Criterion {
    requireNonNull(name, "name");
    requireNonNull(expr, "expr");
    requireNonNull(check, "check");
  }

  /** The built-in checks, as a criteria file names them. */
  public static final String SWAP_PRESENT = "swap-present";

  public static final String NO_OOM_KILLS = "no-oom-kills";
  public static final String NO_ALERT = "no-alert";
  public static final String AVAILABLE_ABOVE = "available-above";

  /**
   * The built-in check {@code check} with its argument (an alert's name, a size), as a criterion.
   *
   * @throws IllegalArgumentException for an unknown check or a bad or missing argument
   */
  public static Criterion builtIn(String check, Optional<String> argument, long line) {
    return switch (check) {
      case SWAP_PRESENT ->
          new Criterion(
              "swap on every host", "node_memory_SwapTotal_bytes == 0", line, Optional.of(check));
      case NO_OOM_KILLS ->
          new Criterion(
              "no OOM kill", "increase(node_vmstat_oom_kill[10m]) > 0", line, Optional.of(check));
      case NO_ALERT -> {
        String alert =
            argument
                .filter(a -> a.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"))
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "no-alert needs an alert name (no-alert: NAME)"));
        yield new Criterion(
            "no " + alert + " alert",
            "ALERTS{alertname=\"" + alert + "\",alertstate=\"firing\"}",
            line,
            Optional.of(check));
      }
      case AVAILABLE_ABOVE -> {
        String size =
            argument.orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "available-above needs a size (available-above: 200Mi)"));
        long bytes = Quantity.parseBytes(size);
        yield new Criterion(
            "MemAvailable above " + size,
            "node_memory_MemAvailable_bytes < " + bytes,
            line,
            Optional.of(check));
      }
      default ->
          throw new IllegalArgumentException(
              "unknown check '"
                  + check
                  + "': the built-in"
                  + " ones are "
                  + SWAP_PRESENT
                  + ", "
                  + NO_OOM_KILLS
                  + ", "
                  + NO_ALERT
                  + ": NAME, "
                  + AVAILABLE_ABOVE
                  + ": SIZE");
    };
  }
}
