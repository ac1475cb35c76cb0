package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.ImageMap;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.TsneKind;

/** Statistics in the snapshot, t-SNE maps and recommendations through the session (step() driven, no sleeps). */
class SessionAnalyticsTest {

  @Test
  void snapshotsCarryTheFilterStatistics() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 3);
      Snapshot.LayerView conv1 = s.latest().layers().getFirst();

      assertBetween(conv1.rgbMix(), 16, 0, 1);
      assertBetween(conv1.apoz(), 16, 0, 1);
      assertBetween(conv1.taylor(), 16, 0, 16);
      assertBetween(conv1.l1Norm(), 16, 1e-6f, Float.MAX_VALUE);
      assertThat(conv1.meanSquaredGradient()).hasSize(16);
      assertThat(conv1.updateRatio()).isPositive();
      assertThat(conv1.clusterIndex()).isBetween(0.0, 1.0);
      assertThat(conv1.gradientSpread()).isPositive();
      assertThat(s.latest().layers().get(3).rgbMix()).isEmpty();
      assertThat(s.latest().layers().get(1).apoz()).isEmpty();
    }
  }

  @Test
  void aFrozenLayerHasZeroJitterAtOnceAndWhileTheOthersTrain() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 5);
      assertBetween(layer(s, "conv1").jitter(), 16, Float.MIN_VALUE, Float.MAX_VALUE);

      assertThat(apply(s, new Command.Freeze("conv1")).ok()).isTrue();
      assertThat(layer(s, "conv1").jitter()).as("at once, before another batch").containsOnly(0f);
      train(s, 5);
      assertThat(layer(s, "conv1").jitter()).containsOnly(0f);
      assertThat(layer(s, "conv1").meanSquaredGradient()).containsOnly(0f);
      assertBetween(layer(s, "conv2").jitter(), 20, Float.MIN_VALUE, Float.MAX_VALUE);

      assertThat(apply(s, new Command.Unfreeze("conv1")).ok()).isTrue();
      train(s, 2);
      assertBetween(layer(s, "conv1").jitter(), 16, Float.MIN_VALUE, Float.MAX_VALUE);
    }
  }

  private static Snapshot.LayerView layer(TrainingSession s, String id) {
    return s.latest().layers().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void filterMapsOfEveryKindHaveOnePointPerFilter() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 2);
      for (TsneKind kind : TsneKind.values()) {
        FilterMap map = await(s, s.filterMap("conv2", kind));
        assertThat(map.kind()).isEqualTo(kind.label());
        assertThat(map.points()).hasSize(20).allSatisfy(p -> assertThat(p.x()).isFinite());
      }
      assertThatThrownBy(() -> await(s, s.filterMap("conv9", TsneKind.WEIGHTS)))
          .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv9");
      assertThatThrownBy(() -> await(s, s.filterMap("relu1", TsneKind.WEIGHTS)))
          .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no filters");
    }
  }

  @Test
  void imageMapEmbedsTheValidationImages() {
    try (TrainingSession s = SessionFixtures.session()) {
      ImageMap map = await(s, s.imageMap());

      assertThat(map.points()).hasSize(40);
      assertThat(map.points().get(7).index()).isEqualTo(7);
      assertThat(map.points().get(7).label()).isEqualTo(s.data().validation().label(7));
    }
  }

  @Test
  void recommendationsFollowSurgery() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 2);
      assertThat(apply(s, new Command.RemoveFilters("conv2", List.of("conv2/f0"))).ok()).isTrue();

      Recommendations advice = await(s, s.recommendations());

      assertThat(advice.layers()).extracting(Recommendations.LayerRemovals::layer).containsExactly("conv1", "conv2", "conv3");
      assertThat(advice.layers().get(1).filters()).isEqualTo(19);
      assertThat(advice.layers().get(1).removals()).extracting(Recommendations.RemovalCandidate::filter)
          .doesNotContain("conv2/f0");
    }
  }

  private static void assertBetween(float[] values, int size, float low, float high) {
    assertThat(values).hasSize(size);
    for (float v : values) assertThat(v).isBetween(low, high);
  }

  /** Lets the training thread (this one) run the queued read, then waits for the t-SNE thread. */
  private static <T> T await(TrainingSession session, CompletableFuture<T> answer) {
    session.step();
    return answer.join();
  }
}
