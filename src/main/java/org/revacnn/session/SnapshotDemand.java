package org.revacnn.session;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * What the open views need of a snapshot beyond what every snapshot carries (jitter, activation and
 * active paths of every layer): the <em>detail</em> of some layers (thumbnails and every per-filter
 * statistic, at full precision) and extra per-filter statistics of every layer (APoZ or Taylor, when
 * the network view colours its cells by them). A model of at most {@link #SMALL_MODEL_FILTERS}
 * filters gets the detail of every layer, as before protocol 4. Immutable.
 *
 * @param detailLayers ids of the layers whose detail is wanted
 * @param statistics   extra statistics wanted for every layer, from {@link #CELL_STATISTICS}
 */
public record SnapshotDemand(Set<String> detailLayers, Set<String> statistics) {
  /** Up to this many filters in all, every layer's detail is sent whatever the views say. */
  public static final int SMALL_MODEL_FILTERS = 1024;
  /** The statistics a view may ask for on every layer. */
  public static final Set<String> CELL_STATISTICS = Set.of("apoz", "taylor");
  /** Most layer ids one client's view may name. */
  public static final int MAX_LAYERS = 1000;
  /** No view open: only what every snapshot carries. */
  public static final SnapshotDemand NONE = new SnapshotDemand(Set.of(), Set.of());

  public SnapshotDemand {
    detailLayers = Set.copyOf(detailLayers);
    statistics = Set.copyOf(statistics);
    for (String s : statistics) {
      if (!CELL_STATISTICS.contains(s)) throw new IllegalArgumentException("unknown statistic '" + s + "'; one of " + CELL_STATISTICS);
    }
  }

  /** Whether layer {@code layerId} of a model of {@code modelFilters} filters gets its detail. */
  public boolean detail(String layerId, int modelFilters) {
    return modelFilters <= SMALL_MODEL_FILTERS || detailLayers.contains(layerId);
  }

  /** Whether statistic {@code name} of layer {@code layerId} is wanted. */
  public boolean statistic(String name, String layerId, int modelFilters) {
    return statistics.contains(name) || detail(layerId, modelFilters);
  }

  /** Everything any of {@code demands} wants. */
  public static SnapshotDemand union(Collection<SnapshotDemand> demands) {
    Set<String> layers = new HashSet<>();
    Set<String> stats = new HashSet<>();
    for (SnapshotDemand d : demands) {
      layers.addAll(d.detailLayers);
      stats.addAll(d.statistics);
    }
    return new SnapshotDemand(layers, stats);
  }
}
