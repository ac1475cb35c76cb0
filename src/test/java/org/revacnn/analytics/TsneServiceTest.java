package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TsneServiceTest {
  private static final TsneConfig CONFIG = TsneConfig.defaults();

  @Test
  void reusesAMapWithinTheCacheTimeAndReadsTheVectorsOnce() {
    try (TsneService service = new TsneService(CONFIG, 60_000)) {
      AtomicInteger reads = new AtomicInteger();
      FilterVectors vectors = clusters();

      FilterMap first = service.filterMap("conv2", TsneKind.WEIGHTS, () -> {
        reads.incrementAndGet();
        return CompletableFuture.completedFuture(vectors);
      }).join();
      FilterMap second = service.filterMap("conv2", TsneKind.WEIGHTS, () -> {
        reads.incrementAndGet();
        return CompletableFuture.completedFuture(vectors);
      }).join();

      assertThat(second).isSameAs(first);
      assertThat(reads).hasValue(1);
      assertThat(first.layer()).isEqualTo("conv2");
      assertThat(first.kind()).isEqualTo("weights");
      assertThat(first.points()).extracting(FilterMap.Point::id).isEqualTo(vectors.ids());
      assertThat(first.clusterIndex()).isGreaterThan(0.5);
    }
  }

  @Test
  void successiveMapsStartFromThePreviousLayoutAndFollowIds() {
    try (TsneService service = new TsneService(CONFIG, 0)) {
      FilterVectors vectors = clusters();
      FilterMap first = service.filterMap("conv2", TsneKind.WEIGHTS, () -> CompletableFuture.completedFuture(vectors)).join();
      // the same vectors again (the cache time is 0, so this is a new map): the points stay where they were
      FilterMap second = service.filterMap("conv2", TsneKind.WEIGHTS, () -> CompletableFuture.completedFuture(vectors)).join();
      // then without the first filter
      FilterVectors fewer = new FilterVectors("conv2", TsneKind.WEIGHTS, vectors.ids().subList(1, vectors.ids().size()),
          java.util.Arrays.copyOfRange(vectors.vectors(), vectors.dimensions(), vectors.vectors().length), vectors.dimensions());
      FilterMap third = service.filterMap("conv2", TsneKind.WEIGHTS, () -> CompletableFuture.completedFuture(fewer)).join();

      assertThat(third.points()).extracting(FilterMap.Point::id).isEqualTo(fewer.ids());
      // root-mean-square shift of the points against the root-mean-square radius of the first map
      double radius = 0;
      double shift = 0;
      int count = first.points().size();
      for (int i = 0; i < count; i++) {
        FilterMap.Point before = first.points().get(i);
        FilterMap.Point after = second.points().get(i);
        radius += (before.x() * before.x() + before.y() * before.y()) / count;
        shift += (Math.pow(after.x() - before.x(), 2) + Math.pow(after.y() - before.y(), 2)) / count;
      }
      assertThat(Math.sqrt(shift)).isLessThan(0.1 * Math.sqrt(radius));
    }
  }

  @Test
  void imageMapKeepsIndicesAndLabels() {
    try (TsneService service = new TsneService(CONFIG, 0)) {
      FilterVectors vectors = clusters();
      int count = vectors.ids().size();
      int[] indices = new int[count];
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        indices[i] = 100 + i;
        labels[i] = i % 3;
      }
      ImageVectors images = new ImageVectors(indices, labels, vectors.vectors(), vectors.dimensions());

      ImageMap map = service.imageMap(() -> CompletableFuture.completedFuture(images)).join();

      assertThat(map.points()).hasSize(count);
      assertThat(map.points().get(4)).extracting(ImageMap.Point::index, ImageMap.Point::label).containsExactly(104, 1);
    }
  }

  @Test
  void aFailedReadIsNotCached() {
    try (TsneService service = new TsneService(CONFIG, 60_000)) {
      CompletableFuture<FilterMap> failed = service.filterMap("nope", TsneKind.WEIGHTS,
          () -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown layer 'nope'")));
      org.assertj.core.api.Assertions.assertThatThrownBy(failed::join).hasCauseInstanceOf(IllegalArgumentException.class);

      FilterMap map = service.filterMap("nope", TsneKind.WEIGHTS, () -> CompletableFuture.completedFuture(clusters())).join();

      assertThat(map.points()).isNotEmpty();
    }
  }

  @Test
  void identicalVectorsGiveAFiniteMap() {
    // gradients before the first step are all zero
    try (TsneService service = new TsneService(CONFIG, 0)) {
      List<String> ids = List.of("conv1/f0", "conv1/f1", "conv1/f2", "conv1/f3");
      FilterVectors zeros = new FilterVectors("conv1", TsneKind.GRADIENTS, ids, new float[4 * 75], 75);

      FilterMap map = service.filterMap("conv1", TsneKind.GRADIENTS, () -> CompletableFuture.completedFuture(zeros)).join();

      assertThat(map.points()).hasSize(4).allSatisfy(p -> assertThat(p.x()).isFinite());
      assertThat(map.clusterIndex()).isNaN();
    }
  }

  /** 18 filters in 3 tight groups of 6 in 10 dimensions. */
  private static FilterVectors clusters() {
    GaussianClusters data = GaussianClusters.generate(3, 6, 10, 8, 21);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < data.count(); i++) ids.add("conv2/f" + i);
    return new FilterVectors("conv2", TsneKind.WEIGHTS, ids, data.points(), 10);
  }
}
