package org.revacnn.analytics;

/** A point's position in a 2-D t-SNE map. */
public record LayoutPoint(double x, double y) {}
