package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsneTest {
  private static final Tsne TSNE = new Tsne(TsneConfig.defaults());

  @Test
  void exactGradientSeparatesClustersTrustworthily() {
    GaussianClusters data = GaussianClusters.generate(5, 40, 50, 4, 1);

    TsneResult result = TSNE.fit(data.points(), data.dimensions());

    assertThat(Trustworthiness.of(data.points(), data.dimensions(), result.layout(), 5)).isGreaterThanOrEqualTo(0.9);
    assertThat(data.nearestCentroidAccuracy(result.layout())).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void barnesHutSeparatesClustersTrustworthily() {
    GaussianClusters data = GaussianClusters.generate(5, 240, 50, 4, 2);
    Tsne barnesHut = new Tsne(TsneConfig.defaults().withExactThreshold(1000).withIterations(400));

    TsneResult result = barnesHut.fit(data.points(), data.dimensions());

    assertThat(Trustworthiness.of(data.points(), data.dimensions(), result.layout(), 5)).isGreaterThanOrEqualTo(0.9);
    assertThat(data.nearestCentroidAccuracy(result.layout())).isGreaterThanOrEqualTo(0.95);
    assertThat(result.finalKlDivergence()).isLessThan(result.progress().getFirst().klDivergence());
  }

  @Test
  void klDivergenceFallsAfterEarlyExaggeration() {
    GaussianClusters data = GaussianClusters.generate(4, 30, 20, 3, 3);

    List<TsneProgress> progress = TSNE.fit(data.points(), data.dimensions()).progress();

    List<TsneProgress> afterExaggeration = progress.stream().filter(p -> p.iteration() >= 250).toList();
    assertThat(afterExaggeration).hasSizeGreaterThan(3);
    for (int r = 1; r < afterExaggeration.size(); r++) {
      assertThat(afterExaggeration.get(r).klDivergence())
          .isLessThanOrEqualTo(afterExaggeration.get(r - 1).klDivergence() + 1e-6);
    }
    assertThat(progress.getLast().klDivergence()).isLessThan(progress.getFirst().klDivergence());
    assertThat(progress.getLast().iteration()).isEqualTo(TsneConfig.defaults().iterations() - 1);
  }

  @Test
  void sameSeedGivesBitIdenticalLayout() {
    Tsne tsne = new Tsne(TsneConfig.defaults().withSeed(7).withIterations(150));
    // 90 points take the scalar kernels, 264 the vectorised ones
    for (GaussianClusters data : List.of(
        GaussianClusters.generate(3, 30, 40, 3, 4), GaussianClusters.generate(8, 33, 40, 3, 4))) {
      double[][] first = tsne.fit(data.points(), data.dimensions()).layout();
      double[][] second = tsne.fit(data.points(), data.dimensions()).layout();

      assertThat(Arrays.deepEquals(first, second)).isTrue();
    }
  }

  @Test
  void tinyLayersGiveFiniteMaps() {
    for (int count : new int[] {1, 2, 3, 4, 16}) {
      GaussianClusters data = GaussianClusters.generate(1, count, 27, 1, count);

      double[][] layout = TSNE.fit(data.points(), data.dimensions()).layout();

      assertThat(layout).hasNumberOfRows(count);
      assertFinite(layout);
    }
  }

  @Test
  void duplicatePointsGiveFiniteMaps() {
    GaussianClusters data = GaussianClusters.generate(2, 10, 9, 3, 5);
    float[] points = data.points().clone();
    // rows 1..9 copy row 0
    for (int i = 1; i < 10; i++) System.arraycopy(points, 0, points, i * 9, 9);

    assertFinite(TSNE.fit(points, 9).layout());
    assertFinite(TSNE.fit(new float[16 * 9], 9).layout());
  }

  @Test
  void barnesHutHandlesDuplicates() {
    GaussianClusters data = GaussianClusters.generate(2, 60, 8, 3, 6);
    float[] points = data.points().clone();
    for (int i = 1; i < 40; i++) System.arraycopy(points, 0, points, i * 8, 8);
    Tsne barnesHut = new Tsne(new TsneConfig(30, 300, 12, 100, 0, 0.5, 10, 100, 1));

    assertFinite(barnesHut.fit(points, 8).layout());
  }

  @Test
  void smallLayersUseClampedPerplexity() {
    assertThat(TSNE.effectivePerplexity(16)).isEqualTo(5.0);
    assertThat(TSNE.effectivePerplexity(4)).isEqualTo(2.0);
    assertThat(TSNE.effectivePerplexity(2)).isEqualTo(1.0);
    assertThat(TSNE.effectivePerplexity(1000)).isEqualTo(30.0);
  }

  static void assertFinite(double[][] layout) {
    for (double[] point : layout) {
      assertThat(point).hasSize(2);
      assertThat(Double.isFinite(point[0]) && Double.isFinite(point[1])).as(Arrays.toString(point)).isTrue();
    }
  }
}
