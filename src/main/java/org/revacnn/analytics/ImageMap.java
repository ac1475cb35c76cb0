package org.revacnn.analytics;

import java.util.List;

/** A t-SNE map of validation images by their penultimate-layer activations; {@code index} is the image's validation index. */
public record ImageMap(List<Point> points) {
  /** An image's position and class. */
  public record Point(int index, int label, double x, double y) {}
}
