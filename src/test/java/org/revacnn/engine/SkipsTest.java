package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The skip connections an architecture lists for the network view: one per residual block, with its endpoints. */
class SkipsTest {
  private static final Shape CIFAR = new Shape(3, 32, 32);

  private static List<String> described(Architecture arch) {
    return arch.skips().stream()
        .map(s -> s.block() + ": " + s.from() + " -> " + s.to() + " " + s.shortcut() + (s.projection() == null ? "" : " " + s.projection()))
        .toList();
  }

  @Test
  void aSmallResNetListsOneSkipPerBlock() {
    // stem conv1; res1 = conv2, conv3 (identity); res2 = conv4 stride 2, conv5 with the 1x1 projection conv6
    try (Network net = Network.build(NetworkSpec.parse("conv8k3bnnopool-res8-res16s2-gap", CIFAR, 10), 1)) {
      assertThat(described(Architecture.of(net))).containsExactly(
          "res1: conv1 -> conv3 identity",
          "res2: conv3 -> conv5 projection conv6");
    }
  }

  @Test
  void aBlockReadingTheInputLeavesFromNoLayer() {
    try (Network net = Network.build(NetworkSpec.parse("res8-gap", CIFAR, 10), 1)) {
      Architecture.Skip skip = Architecture.of(net).skips().getFirst();
      assertThat(skip.from()).isNull();
      assertThat(skip.to()).isEqualTo("conv2");
      assertThat(skip.projection()).isEqualTo("conv3");
    }
  }

  @Test
  void resnet20HasNineSkipsTwoOfThemProjections() {
    try (Network net = Network.build(NetworkSpec.parse("resnet20", CIFAR, 10), 1)) {
      Architecture arch = Architecture.of(net);
      assertThat(described(arch)).containsExactly(
          "res1: conv1 -> conv3 identity",
          "res2: conv3 -> conv5 identity",
          "res3: conv5 -> conv7 identity",
          "res4: conv7 -> conv9 projection conv10",
          "res5: conv9 -> conv12 identity",
          "res6: conv12 -> conv14 identity",
          "res7: conv14 -> conv16 projection conv17",
          "res8: conv16 -> conv19 identity",
          "res9: conv19 -> conv21 identity");
      // every endpoint is a conv the architecture lists (inside its block or before it)
      List<String> convs = convIds(arch.layers());
      assertThat(convs).hasSize(21);
      for (Architecture.Skip s : arch.skips()) {
        assertThat(convs).contains(s.from(), s.to());
        assertThat(convs.indexOf(s.from())).isLessThan(convs.indexOf(s.to()));
      }
    }
  }

  @Test
  void thePaperModelHasNone() {
    try (Network net = Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, CIFAR, 10), 1)) {
      assertThat(Architecture.of(net).skips()).isEmpty();
    }
  }

  @Test
  void anArchitectureReadWithoutSkipsFindsThemInItsBlocks() {
    try (Network net = Network.build(NetworkSpec.parse("resnet20", CIFAR, 10), 1)) {
      Architecture saved = Architecture.of(net);
      Architecture read = new Architecture(saved.input(), saved.classes(), saved.init(), saved.idCounters(), saved.layers(), null);
      assertThat(read.skips()).isEqualTo(saved.skips());
    }
  }

  @Test
  void aSkipWithAnUnknownShortcutIsRefused() {
    assertThatThrownBy(() -> new Architecture.Skip("res1", "conv1", "conv3", "sideways", null))
        .hasMessageContaining("shortcut must be \"identity\" or \"projection\"");
    assertThatThrownBy(() -> new Architecture.Skip("res1", "conv1", "conv3", "identity", "conv4"))
        .hasMessageContaining("an identity shortcut has no projection");
  }

  /** Every conv, blocks' main paths and shortcuts included, in order. */
  private static List<String> convIds(List<Architecture.LayerInfo> layers) {
    return layers.stream().flatMap(l -> l.kind().equals("residual")
        ? Stream.concat(convIds(l.main()).stream(), convIds(l.shortcut()).stream())
        : l.kind().equals("conv") ? Stream.of(l.id()) : Stream.empty()).toList();
  }
}
