package org.revacnn.analytics;

import java.util.Arrays;

/** The paper's four vector representations of a filter for its t-SNE map. */
public enum TsneKind {
  /** The filter's coefficients (its row of the weights). */
  WEIGHTS("weights"),
  /** Its smoothed recent gradient (FilterStatistics' moving average of dL/dw). */
  GRADIENTS("gradients"),
  /** Its post-ReLU activation map for the probe image. */
  ACTIVATIONS("activations"),
  /** The loss gradient with respect to that activation map. */
  ACTIVATION_GRADIENTS("activation-gradients");

  private final String label;

  TsneKind(String label) {
    this.label = label;
  }

  /** The name used in URLs and JSON. */
  public String label() {
    return label;
  }

  /** The kind with this label, or an IllegalArgumentException listing the labels. */
  public static TsneKind parse(String label) {
    for (TsneKind kind : values()) if (kind.label.equals(label)) return kind;
    throw new IllegalArgumentException("kind must be one of " + Arrays.stream(values()).map(TsneKind::label).toList()
        + ", got '" + label + "'");
  }
}
