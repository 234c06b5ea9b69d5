package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SourceLine;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A zram device from {@code /sys/block/zramN}: {@code disksize}, {@code comp_algorithm} and the
 * first fields of {@code mm_stat} (orig_data_size compr_data_size mem_used_total mem_limit
 * mem_used_max ...), in bytes.
 */
public record ZramDevice(
    String name,
    long diskSizeBytes,
    Optional<String> algorithm,
    OptionalLong origDataBytes,
    OptionalLong comprDataBytes,
    OptionalLong memUsedTotalBytes,
    OptionalLong memLimitBytes,
    SourceLine source) {
  public ZramDevice {
    requireNonNull(name, "name");
    requireNonNull(algorithm, "algorithm");
    requireNonNull(origDataBytes, "origDataBytes");
    requireNonNull(comprDataBytes, "comprDataBytes");
    requireNonNull(memUsedTotalBytes, "memUsedTotalBytes");
    requireNonNull(memLimitBytes, "memLimitBytes");
    requireNonNull(source, "source");
  }
}
