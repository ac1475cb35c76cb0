package org.revacnn.analytics;

/**
 * Images to embed: row i of {@code vectors} ({@code dimensions} values, e.g. the input of the
 * classifier) belongs to the image with validation index {@code indices[i]} and class {@code labels[i]}.
 */
public record ImageVectors(int[] indices, int[] labels, float[] vectors, int dimensions) {}
