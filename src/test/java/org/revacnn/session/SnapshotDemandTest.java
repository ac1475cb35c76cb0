package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A large model's snapshot carries a layer's detail only when a view demands it; every layer's jitter and paths always. */
class SnapshotDemandTest {
  /** 1,200 filters: above {@link SnapshotDemand#SMALL_MODEL_FILTERS}; 1x1 kernels keep it fast. */
  private static final String LARGE = "conv600k1-conv600k1";

  @Test
  void onlyTheDemandedLayerOfALargeModelGetsItsDetail() {
    try (TrainingSession session = new TrainingSession(SessionFixtures.config().withModel(LARGE), SessionFixtures.data())) {
      SessionFixtures.train(session, 1);
      Snapshot.LayerView conv1 = layer(session.latest(), "conv1");
      assertThat(conv1.thumbnails()).isEmpty();
      assertThat(conv1.l1Norm()).isEmpty();
      assertThat(conv1.apoz()).isEmpty();
      assertThat(conv1.jitter()).hasSize(600);
      assertThat(conv1.activation()).hasSize(600);
      assertThat(conv1.activePath()).hasSize(600);

      session.demand(new SnapshotDemand(Set.of("conv2"), Set.of("apoz")));
      session.publish();
      assertThat(layer(session.latest(), "conv2").thumbnails()).hasSize(600);
      assertThat(layer(session.latest(), "conv2").l1Norm()).hasSize(600);
      assertThat(layer(session.latest(), "conv1").thumbnails()).isEmpty();
      assertThat(layer(session.latest(), "conv1").apoz()).as("the statistic the cells show, on every layer").hasSize(600);
    }
  }

  @Test
  void aSmallModelGetsEveryLayersDetailWithoutAView() {
    try (TrainingSession session = SessionFixtures.session()) {
      for (Snapshot.LayerView layer : session.latest().layers()) {
        if (layer.kind().equals("conv")) assertThat(layer.thumbnails()).as(layer.id()).isNotEmpty();
      }
    }
  }

  @Test
  void aCommandMakesALargeModelProbeAfresh() {
    try (TrainingSession session = new TrainingSession(SessionFixtures.config().withModel(LARGE), SessionFixtures.data())) {
      session.publish();
      float[] probed = session.latest().probe().probabilities();
      SessionFixtures.apply(session, new Command.SetProbe(3, null, null));
      session.publish();
      assertThat(session.latest().probe().probabilities()).isNotSameAs(probed);
      assertThat(session.latest().probe().index()).isEqualTo(3);
    }
  }

  private static Snapshot.LayerView layer(Snapshot snapshot, String id) {
    return snapshot.layers().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
  }
}
