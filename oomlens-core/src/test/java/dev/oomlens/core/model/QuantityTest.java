package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantityTest {
  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
    "4294967296, 4294967296",
    "512Mi, 536870912",
    "4Gi, 4294967296",
    "4GiB, 4294967296",
    "4G, 4000000000",
    "4GB, 4000000000",
    "4096M, 4096000000",
    "1.5Gi, 1610612736",
    "4.5G, 4500000000",
    "64k, 64000",
    "64Ki, 65536",
    "1e9, 1000000000",
    "' 2Ti ', 2199023255552",
    "1Ei, 1152921504606846976",
  })
  void parseBytes_kubernetesMeaning(String text, long bytes) {
    assertThat(Quantity.parseBytes(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "512m | in Kubernetes m is milli; for mebibytes write 512Mi",
        "4K | Kubernetes writes kilo as k (1000) and kibi as Ki (1024)",
        "4g | did you mean 4Gi?",
        "4gi | did you mean 4Gi?",
        "2mi | did you mean 2Mi?",
        "4X | suffixes are Kubernetes'",
        "0 | is not a size above zero",
        "-1G | is not a size",
        "G | is not a size",
        "16Ei | is too large",
        "1e3k | has both an exponent and a suffix",
      })
  void parseBytes_refusesWithTheLikelyIntent(String text, String message) {
    assertThatThrownBy(() -> Quantity.parseBytes(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"1, 1Mi", "1048576, 1Mi", "1048577, 2Mi", "805306368, 768Mi"})
  void mebibytes_roundsUp(long bytes, String quantity) {
    assertThat(Quantity.mebibytes(bytes)).isEqualTo(quantity);
  }
}
