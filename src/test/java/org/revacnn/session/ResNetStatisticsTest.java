package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.revacnn.analytics.ActivationStatistics;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.FilterStatistics;
import org.revacnn.analytics.LayerReport;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.Recommender;
import org.revacnn.analytics.TsneKind;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.BatchNorm;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Network;
import org.revacnn.engine.Residual;

/** Every conv of a ResNet, those inside residual blocks included, has its statistics, t-SNE maps and recommendations. */
class ResNetStatisticsTest {
  /** resnet20's convs inside its blocks: 3 stages of 3 blocks of 2 convs, and the projections of stages 2 and 3. */
  private static final int INNER_CONVS = 20;

  private static SessionConfig resnet20() {
    return SessionFixtures.config().withModel("resnet20");
  }

  @Test
  void theSnapshotListsEveryLayerInTheViewsOrderWithEveryConvsStatistics() {
    try (TrainingSession s = new TrainingSession(resnet20(), SessionFixtures.data())) {
      train(s, 3);
      List<Architecture.LayerInfo> flat = flat(s.architecture().layers());
      List<Snapshot.LayerView> layers = s.latest().layers();
      assertThat(layers).extracting(Snapshot.LayerView::id).containsExactlyElementsOf(flat.stream().map(Architecture.LayerInfo::id).toList());
      assertThat(layers).extracting(Snapshot.LayerView::kind).doesNotContain("residual");

      List<Snapshot.LayerView> convs = layers.stream().filter(l -> l.kind().equals("conv")).toList();
      assertThat(convs).hasSize(1 + INNER_CONVS);
      for (int l = 0; l < layers.size(); l++) {
        Snapshot.LayerView layer = layers.get(l);
        Architecture.LayerInfo info = flat.get(l);
        assertThat(layer.outputShape()).as(layer.id()).containsExactly(info.outputShape().channels(), info.outputShape().height(),
            info.outputShape().width());
        if (!layer.kind().equals("conv")) continue;
        int filters = info.filters();
        assertThat(layer.filterIds()).as(layer.id()).isEqualTo(info.unitIds());
        assertThat(layer.jitter()).as(layer.id()).hasSize(filters);
        assertThat(sum(layer.jitter())).as("%s has been trained", layer.id()).isPositive();
        assertThat(layer.activation()).as(layer.id()).hasSize(filters);
        assertThat(layer.activePath()).as(layer.id()).hasSize(filters);
        assertThat(layer.thumbnails()).as(layer.id())
            .hasSize(filters * layer.thumbnailChannels() * info.kernelSize() * info.kernelSize());
        assertThat(layer.taylor()).as(layer.id()).hasSize(filters);
        assertThat(layer.updateRatio()).as(layer.id()).isPositive();
      }
      // the first conv of a block is followed by batch norm and ReLU: its APoZ is measured after the ReLU
      Snapshot.LayerView firstOfBlock = layers.get(indexOf(flat, blockConv(s, 0)));
      assertThat(firstOfBlock.apoz()).hasSize(16);
      for (float a : firstOfBlock.apoz()) assertThat(a).isBetween(0f, 1f);
      for (float a : firstOfBlock.activation()) assertThat(a).as("sums after the ReLU").isGreaterThanOrEqualTo(0f);
      // the last conv of a block feeds the residual sum, with no ReLU of its own
      Snapshot.LayerView lastOfBlock = layers.get(indexOf(flat, blockConv(s, 1)));
      assertThat(lastOfBlock.apoz()).hasSize(16);
      for (float a : lastOfBlock.apoz()) assertThat(a).isNaN();
    }
  }

  @Test
  void tsneMapsAndRecommendationsCoverTheConvsInsideBlocks() {
    try (TrainingSession s = new TrainingSession(resnet20(), SessionFixtures.data())) {
      train(s, 2);
      String inner = blockConv(s, 0);
      for (TsneKind kind : TsneKind.values()) {
        FilterMap map = await(s, s.filterMap(inner, kind));
        assertThat(map.points()).as(kind.label()).hasSize(16).allSatisfy(p -> assertThat(p.x()).isFinite());
        assertThat(map.points().getFirst().id()).isEqualTo(inner + "/f0");
      }
      Recommendations advice = await(s, s.recommendations());
      List<String> convs = flat(s.architecture().layers()).stream().filter(l -> l.kind().equals("conv"))
          .map(Architecture.LayerInfo::id).toList();
      assertThat(advice.layers()).extracting(Recommendations.LayerRemovals::layer).containsExactlyElementsOf(convs);
    }
  }

  @Test
  void plantedDeadAndDuplicateFiltersInsideABlockAreRecommended() {
    try (Network net = Network.build(ModelSpecs.parse("resnet20", SessionFixtures.data().shape(), 10), 3)) {
      Residual block = (Residual) net.layers().get(3);
      Conv conv = (Conv) block.main().get(0);
      BatchNorm norm = (BatchNorm) block.main().get(1);
      float[] w = conv.weights().value();
      int size = conv.weights().unitSize();
      System.arraycopy(w, 2 * size, w, 6 * size, size); // f6 = f2
      norm.beta().value()[4] = -100; // beta of channel 4: its ReLU never fires
      ImageSet validation = SessionFixtures.data().validation();
      ActivationStatistics activations = new ActivationStatistics(images(validation, 8), labels(validation, 8), 1);
      activations.observe(net);

      Recommendations advice = Recommender.recommend(net, LayerReport.all(net, new FilterStatistics(), activations),
          Recommender.Evidence.ONE_MEASUREMENT, activations.window());

      Recommendations.LayerRemovals removals = advice.layers().stream().filter(l -> l.layer().equals(conv.id())).findFirst().orElseThrow();
      assertThat(removals.removals()).extracting(Recommendations.RemovalCandidate::filter)
          .contains(conv.id() + "/f4", conv.id() + "/f6");
      assertThat(removals.removals().getFirst().filter()).isEqualTo(conv.id() + "/f4");
      assertThat(removals.removals().getFirst().reason()).isEqualTo("dead");
    }
  }

  /** Conv {@code position} (0 or 1) of the main path of the first residual block. */
  private static String blockConv(TrainingSession s, int position) {
    Architecture.LayerInfo block = s.architecture().layers().stream().filter(l -> l.kind().equals("residual")).findFirst().orElseThrow();
    return block.main().stream().filter(l -> l.kind().equals("conv")).toList().get(position).id();
  }

  private static List<Architecture.LayerInfo> flat(List<Architecture.LayerInfo> layers) {
    List<Architecture.LayerInfo> out = new ArrayList<>();
    for (Architecture.LayerInfo layer : layers) {
      if (layer.kind().equals("residual")) {
        out.addAll(flat(layer.main()));
        out.addAll(flat(layer.shortcut()));
      } else {
        out.add(layer);
      }
    }
    return out;
  }

  private static int indexOf(List<Architecture.LayerInfo> flat, String id) {
    return flat.stream().map(Architecture.LayerInfo::id).toList().indexOf(id);
  }

  private static double sum(float[] values) {
    double sum = 0;
    for (float v : values) sum += v;
    return sum;
  }

  private static float[] images(ImageSet set, int count) {
    var normalization = org.revacnn.data.Normalization.fromTrainingSet(set);
    int size = set.shape().size();
    float[] out = new float[count * size];
    for (int i = 0; i < count; i++) System.arraycopy(normalization.image(set, i), 0, out, i * size, size);
    return out;
  }

  private static int[] labels(ImageSet set, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) out[i] = set.label(i);
    return out;
  }

  private static <T> T await(TrainingSession session, CompletableFuture<T> answer) {
    session.step();
    return answer.join();
  }
}
