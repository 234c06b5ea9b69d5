package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostMemoryBlocksTest {
  @Test
  void aBuddyListComesBackAsItWasGiven() {
    List<HostMemory.FreeBlocks> given =
        List.of(
            new HostMemory.FreeBlocks(3, 4096),
            new HostMemory.FreeBlocks(0, 8192),
            new HostMemory.FreeBlocks(Long.MAX_VALUE, 4L << 20));
    HostMemory.FreeArea area =
        new HostMemory.FreeArea(0, "Normal", given, new SourceLine("k.log", 4, "Node 0 Normal:"));
    assertThat(area.blocks()).isEqualTo(given).hasSameHashCodeAs(given);
    assertThat(area.blocks().get(2).count()).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> area.blocks().get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> area.blocks().add(new HostMemory.FreeBlocks(1, 1)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(new HostMemory.FreeArea(0, "DMA", List.of(), area.source()).blocks()).isEmpty();
  }
}
