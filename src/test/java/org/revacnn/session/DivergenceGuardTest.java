package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;

class DivergenceGuardTest {
  private final Network network = Network.build(NetworkSpec.parse("fc4", new Shape(1, 2, 2), 2), 1);

  @Test
  void aSingleBatchSpikeIsNotDivergence() {
    History h = steps(100, 1.0);
    h.addStep(101, 6.0, 0);
    assertThat(DivergenceGuard.check(6.0, h, 4.0, network)).isNull();
  }

  @Test
  void aSustainedRiseIsDivergence() {
    History h = steps(100, 1.0);
    for (int i = 0; i < 10; i++) h.addStep(101 + i, 6.0, 0);
    assertThat(DivergenceGuard.check(6.0, h, 4.0, network)).contains("exceeded 4.00 times the average before");
  }

  @Test
  void smallRisesNearZeroLossAreNotDivergence() {
    History h = steps(100, 0.05);
    for (int i = 0; i < 10; i++) h.addStep(101 + i, 0.4, 0);
    assertThat(DivergenceGuard.check(0.4, h, 4.0, network)).isNull();
  }

  @Test
  void nonFiniteLossOrWeightIsDivergenceAtOnce() {
    History h = steps(3, 1.0);
    assertThat(DivergenceGuard.check(Double.NaN, h, 4.0, network)).contains("NaN");
    network.params().getFirst().value()[0] = Float.POSITIVE_INFINITY;
    assertThat(DivergenceGuard.check(1.0, h, 4.0, network)).contains("fc1/weights").contains("Infinity");
  }

  @Test
  void earlySwingsAreIgnoredDuringWarmUp() {
    History h = steps(20, 1.0);
    for (int i = 0; i < 10; i++) h.addStep(21 + i, 9.0, 0);
    assertThat(DivergenceGuard.check(9.0, h, 4.0, network)).isNull();
  }

  private static History steps(int count, double loss) {
    History h = new History();
    for (int i = 1; i <= count; i++) h.addStep(i, loss, 0);
    return h;
  }
}
