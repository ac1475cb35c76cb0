package org.revacnn.analytics;

import java.util.List;

/**
 * A t-SNE map of one layer's filters by one kind of vector, with the cluster index of those
 * vectors ({@link FilterGeometry#clusterIndex}). Immutable.
 */
public record FilterMap(String layer, String kind, List<Point> points, double clusterIndex) {
  /** A filter's position. */
  public record Point(String id, double x, double y) {}
}
