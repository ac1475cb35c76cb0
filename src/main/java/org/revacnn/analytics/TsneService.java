package org.revacnn.analytics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Computes t-SNE maps on demand, off the training thread. The caller supplies a reader that
 * copies the vectors on the training thread; the t-SNE runs on this service's single background
 * thread, so maps are computed one at a time and never slow a training step. Per map (a layer and
 * kind, or the image map) it keeps the previous layout and starts the next from it with
 * {@link Tsne#warmStart}, matching points by id, so successive maps move smoothly and new or
 * removed filters appear and vanish in place. A result is reused for {@code cacheMillis}, and
 * concurrent requests for the same map share one computation. Thread-safe.
 */
public final class TsneService implements AutoCloseable {
  private final Tsne tsne;
  private final long cacheNanos;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "revacnn-tsne");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  /** Previous layout per map; read and written on the worker thread only. */
  private final Map<String, Map<String, LayoutPoint>> previous = new ConcurrentHashMap<>();

  private record Cached(CompletableFuture<?> result, long startedNanos) {}

  public TsneService(TsneConfig config, long cacheMillis) {
    this.tsne = new Tsne(config);
    this.cacheNanos = cacheMillis * 1_000_000;
  }

  /** The map of one layer's filters; {@code reader} copies their vectors on the training thread. */
  public CompletableFuture<FilterMap> filterMap(String layer, TsneKind kind, Supplier<CompletableFuture<FilterVectors>> reader) {
    return cached("filters:" + layer + ":" + kind.label(), key -> reader.get().thenApplyAsync(vectors -> {
      double[][] layout = layout(key, vectors.ids(), vectors.vectors(), vectors.dimensions());
      List<FilterMap.Point> points = new ArrayList<>();
      for (int i = 0; i < layout.length; i++) points.add(new FilterMap.Point(vectors.ids().get(i), layout[i][0], layout[i][1]));
      return new FilterMap(layer, kind.label(), points, FilterGeometry.clusterIndex(vectors.vectors(), vectors.dimensions()));
    }, worker));
  }

  /** The map of images; {@code reader} computes their vectors on the training thread. */
  public CompletableFuture<ImageMap> imageMap(Supplier<CompletableFuture<ImageVectors>> reader) {
    return cached("images", key -> reader.get().thenApplyAsync(vectors -> {
      List<String> ids = new ArrayList<>();
      for (int index : vectors.indices()) ids.add(Integer.toString(index));
      double[][] layout = layout(key, ids, vectors.vectors(), vectors.dimensions());
      List<ImageMap.Point> points = new ArrayList<>();
      for (int i = 0; i < layout.length; i++) {
        points.add(new ImageMap.Point(vectors.indices()[i], vectors.labels()[i], layout[i][0], layout[i][1]));
      }
      return new ImageMap(points);
    }, worker));
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> cached(String key, java.util.function.Function<String, CompletableFuture<T>> compute) {
    long now = System.nanoTime();
    Cached entry = cache.compute(key, (k, old) -> {
      boolean fresh = old != null && !old.result().isCompletedExceptionally()
          && (!old.result().isDone() || now - old.startedNanos() < cacheNanos);
      return fresh ? old : new Cached(compute.apply(k), now);
    });
    return (CompletableFuture<T>) entry.result();
  }

  /** Warm start from this map's previous layout (a cold start the first time); remembers the result. Worker thread. */
  private double[][] layout(String key, List<String> ids, float[] vectors, int dimensions) {
    Map<String, LayoutPoint> before = previous.get(key);
    TsneResult result = before == null ? tsne.fit(vectors, dimensions) : tsne.warmStart(before, ids, vectors, dimensions);
    previous.put(key, result.positions(ids));
    return result.layout();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
