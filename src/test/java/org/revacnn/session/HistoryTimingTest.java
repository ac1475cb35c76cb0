package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples seen, wall-clock time and throughput that History keeps per step, for the charts. */
class HistoryTimingTest {
  private static History tenSteps() {
    History h = new History();
    for (int i = 1; i <= 10; i++) h.addStep(i, 1.0 / i, 0.1 * i, 4L * i, 1_000L * i, 100.0 * i);
    return h;
  }

  @Test
  void aBucketCarriesTheExamplesAndTimeOfItsLastStepAndItsMeanThroughput() {
    History.View view = tenSteps().view(4); // stride 3: steps 1-3, 4-6, 7-9, 10
    assertThat(view.stride()).isEqualTo(3);
    assertThat(view.examplesSeen()).containsExactly(12, 24, 36, 40);
    assertThat(view.wallMillis()).containsExactly(3_000, 6_000, 9_000, 10_000);
    assertThat(view.imagesPerSecond()).containsExactly(200f, 500f, 800f, 1000f);
  }

  @Test
  void aSavedHistoryRestoresWithItsTiming() {
    History.View full = tenSteps().full();
    History.View again = History.restore(full).full();
    assertThat(again.examplesSeen()).containsExactly(full.examplesSeen());
    assertThat(again.wallMillis()).containsExactly(full.wallMillis());
    assertThat(again.imagesPerSecond()).containsExactly(full.imagesPerSecond());
  }

  @Test
  void aHistorySavedWithoutTimingStillLoadsAndOneWithTheWrongLengthsDoesNot() {
    History.View old = new History.View(1, 1, new float[] {2, 1}, new float[] {0, 1}, null, null, null, List.of(), List.of(), 0);
    History.View restored = History.restore(old).full();
    assertThat(restored.loss()).containsExactly(2, 1);
    assertThat(restored.examplesSeen()).containsExactly(0, 0);
    assertThat(restored.imagesPerSecond()[0]).isNaN();
    History.View torn = new History.View(1, 1, new float[] {2, 1}, new float[] {0, 1}, new long[] {4}, new long[] {1, 2},
        new float[] {1, 2}, List.of(), List.of(), 0);
    assertThatThrownBy(() -> History.restore(torn)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one per step");
  }
}
