package org.revacnn.analytics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A t-SNE map: {@code layout[i] = {x, y}} for input point i (input order), and the KL divergence
 * measured along the way. The arrays belong to the caller.
 */
public record TsneResult(double[][] layout, List<TsneProgress> progress) {

  /** The layout keyed by point id, in input order; {@code ids} must match the input points. */
  public Map<String, LayoutPoint> positions(List<String> ids) {
    if (ids.size() != layout.length) {
      throw new IllegalArgumentException(ids.size() + " ids for " + layout.length + " points");
    }
    Map<String, LayoutPoint> positions = new LinkedHashMap<>();
    for (int i = 0; i < layout.length; i++) positions.put(ids.get(i), new LayoutPoint(layout[i][0], layout[i][1]));
    return positions;
  }

  /** KL divergence at the last reported iteration, or NaN when nothing was optimised. */
  public double finalKlDivergence() {
    return progress.isEmpty() ? Double.NaN : progress.getLast().klDivergence();
  }
}
