package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;

class DivergenceGuardTest {
  private final Network network = Network.build(NetworkSpec.parse("fc4", new Shape(1, 2, 2), 2), 1);

  @Test
  void anIsolatedSpikeInAConvergedRunIsNotDivergence() {
    DivergenceGuard guard = guard(10);
    feed(guard, 300, 0.001);
    // the loss of the spike that paused the default synthetic run (8.9), and a larger one
    for (double spike : new double[] {8.9, 17}) {
      assertThat(guard.judge(spike)).isNull();
      assertThat(guard.calm()).isFalse();
      for (int i = 0; i < 20; i++) assertThat(guard.judge(0.001)).as("batch %d after the spike", i + 1).isNull();
      assertThat(guard.calm()).isTrue();
    }
  }

  @Test
  void aSustainedClimbIsCaughtInFiveBatches() {
    DivergenceGuard guard = guard(10);
    feed(guard, 300, 1.0);
    assertThat(batchesUntilCaught(guard, 6.0)).isEqualTo(5);
    assertThat(guard.judge(6.0)).contains("median loss of the last 9 batches").contains("4.00 times the mean of the 200 batches before");
  }

  @Test
  void spikesCloseTogetherAreNotASustainedClimb() {
    DivergenceGuard guard = guard(10);
    feed(guard, 300, 1e-5);
    // four spikes among nine batches: the median is still a healthy loss
    for (double loss : new double[] {8.9, 1e-5, 9.1, 1e-5, 5.0, 1e-5, 7.0, 1e-5, 1e-5}) assertThat(guard.judge(loss)).isNull();
  }

  @Test
  void smallRisesNearZeroLossAreNotDivergence() {
    DivergenceGuard guard = guard(10);
    feed(guard, 100, 0.05);
    for (int i = 0; i < 10; i++) assertThat(guard.judge(0.4)).isNull();
  }

  @Test
  void nonFiniteLossOrWeightIsDivergenceAtOnce() {
    assertThat(guard(10).judge(Double.NaN)).contains("NaN");
    DivergenceGuard guard = guard(10);
    feed(guard, 300, 0.5);
    assertThat(guard.judge(Double.POSITIVE_INFINITY)).contains("Infinity");
    assertThat(DivergenceGuard.nonFiniteWeight(network)).isNull();
    network.params().getFirst().value()[0] = Float.POSITIVE_INFINITY;
    assertThat(DivergenceGuard.nonFiniteWeight(network)).contains("fc1/weights").contains("Infinity");
  }

  @Test
  void afterARestartOnlyTheNewLossesAreJudged() {
    DivergenceGuard guard = guard(10);
    feed(guard, 300, 0.001);
    assertThat(batchesUntilCaught(guard, 30)).isEqualTo(5);
    guard.restart();
    // a higher level than before (a lower learning rate starting over) is judged on its own
    for (int i = 0; i < 300; i++) assertThat(guard.judge(i % 7 == 0 ? 4.0 : 1.5)).as("batch %d", i + 1).isNull();
  }

  @Test
  void beforeTheWarmUpOnlyTheCeilingApplies() {
    // ceiling = 4 * max(1, ln 10) = 9.21
    DivergenceGuard guard = guard(10);
    feed(guard, 20, 2.3);
    for (int i = 0; i < 10; i++) assertThat(guard.judge(9.0)).isNull();
    assertThat(batchesUntilCaught(guard, 9.5)).isEqualTo(5);
    assertThat(guard.judge(9.5)).contains("ceiling").contains("10 classes");
  }

  @Test
  void aBlowUpRightAfterARestartIsCaughtFromTheThirdBatch() {
    DivergenceGuard guard = guard(2);
    assertThat(guard.judge(50)).isNull();
    assertThat(guard.judge(60)).isNull();
    assertThat(guard.judge(70)).contains("median loss of the last 3 batches");
  }

  /** Feeds {@code loss} until the guard reports divergence; returns how many batches that took. */
  private static int batchesUntilCaught(DivergenceGuard guard, double loss) {
    for (int batches = 1; batches <= 100; batches++) if (guard.judge(loss) != null) return batches;
    return -1;
  }

  private static DivergenceGuard guard(int classes) {
    return new DivergenceGuard(4.0, classes);
  }

  private static void feed(DivergenceGuard guard, int batches, double loss) {
    for (int i = 0; i < batches; i++) assertThat(guard.judge(loss)).isNull();
  }
}
