package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WarmStartTest {
  private static final int DIMENSIONS = 30;
  private static final Tsne TSNE = new Tsne(TsneConfig.defaults());

  @Test
  void slightlyChangedPointsStayWhereTheyWere() {
    GaussianClusters data = GaussianClusters.generate(4, 40, DIMENSIONS, 4, 11);
    List<String> ids = ids(0, data.count());
    Map<String, LayoutPoint> previous = TSNE.fit(data.points(), DIMENSIONS).positions(ids);

    float[] nudged = data.points().clone();
    SplittableRandom random = new SplittableRandom(5);
    for (int c = 0; c < nudged.length; c++) nudged[c] += (float) (0.05 * GaussianClusters.gaussian(random));
    Map<String, LayoutPoint> next = TSNE.warmStart(previous, ids, nudged, DIMENSIONS).positions(ids);

    assertThat(rootMeanSquareShift(previous, next, ids)).isLessThan(0.05 * spread(previous));
  }

  @Test
  void addedPointsJoinTheirClusterAndRemovedOnesAreDropped() {
    GaussianClusters data = GaussianClusters.generate(4, 50, DIMENSIONS, 4, 12);
    int first = 150;
    List<String> oldIds = ids(0, first);
    float[] oldPoints = java.util.Arrays.copyOf(data.points(), first * DIMENSIONS);
    Map<String, LayoutPoint> previous = TSNE.fit(oldPoints, DIMENSIONS).positions(oldIds);

    // drop the first 10 points, add the last 50
    List<String> newIds = ids(10, data.count());
    float[] newPoints = java.util.Arrays.copyOfRange(data.points(), 10 * DIMENSIONS, data.count() * DIMENSIONS);
    TsneResult result = TSNE.warmStart(previous, newIds, newPoints, DIMENSIONS);
    Map<String, LayoutPoint> next = result.positions(newIds);

    assertThat(next).hasSize(190).doesNotContainKey("p0").containsKey("p199");
    TsneTest.assertFinite(result.layout());
    List<String> kept = ids(10, first);
    assertThat(rootMeanSquareShift(previous, next, kept)).isLessThan(0.1 * spread(previous));
    int[] labels = java.util.Arrays.copyOfRange(data.labels(), 10, data.count());
    assertThat(new GaussianClusters(newPoints, DIMENSIONS, labels).nearestCentroidAccuracy(result.layout()))
        .isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void withoutSharedIdsItIsAColdStart() {
    GaussianClusters data = GaussianClusters.generate(2, 20, DIMENSIONS, 4, 13);
    List<String> ids = ids(0, data.count());

    double[][] warm = TSNE.warmStart(Map.of("other", new LayoutPoint(1, 1)), ids, data.points(), DIMENSIONS).layout();

    assertThat(warm).isDeepEqualTo(TSNE.fit(data.points(), DIMENSIONS).layout());
  }

  @Test
  void tinyWarmStartsStayFinite() {
    GaussianClusters data = GaussianClusters.generate(1, 3, DIMENSIONS, 1, 14);
    Map<String, LayoutPoint> previous = Map.of("p0", new LayoutPoint(2, 3));

    TsneResult one = TSNE.warmStart(previous, List.of("p0"), java.util.Arrays.copyOf(data.points(), DIMENSIONS), DIMENSIONS);
    TsneResult three = TSNE.warmStart(previous, ids(0, 3), data.points(), DIMENSIONS);

    assertThat(one.layout()[0]).containsExactly(2, 3);
    TsneTest.assertFinite(three.layout());
  }

  private static List<String> ids(int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) ids.add("p" + i);
    return ids;
  }

  private static double rootMeanSquareShift(Map<String, LayoutPoint> before, Map<String, LayoutPoint> after,
      List<String> ids) {
    double sum = 0;
    for (String id : ids) {
      double dx = before.get(id).x() - after.get(id).x();
      double dy = before.get(id).y() - after.get(id).y();
      sum += dx * dx + dy * dy;
    }
    return Math.sqrt(sum / ids.size());
  }

  /** Root-mean-square distance of the map's points from their centroid. */
  private static double spread(Map<String, LayoutPoint> layout) {
    double meanX = layout.values().stream().mapToDouble(LayoutPoint::x).average().orElseThrow();
    double meanY = layout.values().stream().mapToDouble(LayoutPoint::y).average().orElseThrow();
    double sum = 0;
    for (LayoutPoint point : layout.values()) sum += Math.pow(point.x() - meanX, 2) + Math.pow(point.y() - meanY, 2);
    return Math.sqrt(sum / layout.size());
  }
}
