package org.revacnn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Learning-rate schedules of headless runs against hand-computed values. */
class LearningRateScheduleTest {
  @Test
  void cosineWithWarmupClimbsLinearlyFromZeroThenFallsAlongHalfACosineToZero() {
    LearningRateSchedule s = LearningRateSchedule.of(true, false, 2.0, 0.1f, 10);
    assertThat(s.rate(0)).isCloseTo(0, within(1e-12));
    assertThat(s.rate(0.5)).isCloseTo(0.025, within(1e-8));
    assertThat(s.rate(2)).isCloseTo(0.1, within(1e-8));
    // halfway through the 8 cosine epochs: (1 + cos(pi / 2)) / 2 = 0.5
    assertThat(s.rate(6)).isCloseTo(0.05, within(1e-8));
    // a quarter of the way: (1 + cos(pi / 4)) / 2
    assertThat(s.rate(4)).isCloseTo(0.1 * (1 + Math.sqrt(0.5)) / 2, within(1e-8));
    assertThat(s.rate(10)).isCloseTo(0, within(1e-9));
  }

  @Test
  void theRateIsSetTwentyTimesAnEpochAtEachIntervalsMiddleAndNeverZero() {
    LearningRateSchedule s = LearningRateSchedule.of(true, false, 1.0, 0.2f, 4);
    assertThat(LearningRateSchedule.interval(0)).isZero();
    assertThat(LearningRateSchedule.interval(0.0499)).isZero();
    assertThat(LearningRateSchedule.interval(0.05)).isEqualTo(1);
    assertThat(LearningRateSchedule.interval(1.5)).isEqualTo(30);
    // interval 0 covers epochs [0, 0.05): its middle 0.025 is 2.5% of the warm-up
    assertThat(s.rateForInterval(0)).isCloseTo(0.2f * 0.025f, within(1e-7f));
    assertThat(s.rateForInterval(79)).isPositive().isLessThan(1e-3f);
  }

  @Test
  void oneCycleWarmsUpFromAPeakOverTwentyFiveForThirtyPercentAndEndsFarBelow() {
    LearningRateSchedule s = LearningRateSchedule.of(false, true, null, 0.5f, 10);
    assertThat(s.warmupEpochs()).isCloseTo(3, within(1e-12));
    assertThat(s.rate(0)).isCloseTo(0.02, within(1e-8));
    assertThat(s.rate(1.5)).isCloseTo(0.02 + 0.48 / 2, within(1e-8));
    assertThat(s.rate(3)).isCloseTo(0.5, within(1e-8));
    assertThat(s.rate(10)).isCloseTo(0.02 / 1e4, within(1e-12));
  }

  @Test
  void aConstantRateWithoutWarmupNeverChangesAndWithWarmupRisesToIt() {
    assertThat(LearningRateSchedule.of(false, false, null, 0.1f, 3).varies()).isFalse();
    LearningRateSchedule warm = LearningRateSchedule.of(false, false, 1.0, 0.1f, 3);
    assertThat(warm.varies()).isTrue();
    assertThat(warm.rate(0.5)).isCloseTo(0.05, within(1e-8));
    assertThat(warm.rate(2.5)).isCloseTo(0.1, within(1e-8));
  }

  @Test
  void refusesBothSchedulesAndAWarmupAsLongAsTheRun() {
    assertThatThrownBy(() -> LearningRateSchedule.of(true, true, null, 0.1f, 3)).hasMessageContaining("not both");
    assertThatThrownBy(() -> LearningRateSchedule.of(true, false, 3.0, 0.1f, 3)).hasMessageContaining("--warmup-epochs");
  }
}
