package org.revacnn.analytics;

/**
 * The KL divergence KL(P || Q) of the map after {@code iteration} gradient steps, measured
 * against the un-exaggerated input affinities P. Exact for the exact gradient; with Barnes-Hut
 * the normaliser Z of Q is the tree's estimate.
 */
public record TsneProgress(int iteration, double klDivergence) {}
