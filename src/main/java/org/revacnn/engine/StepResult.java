package org.revacnn.engine;

/** What one training step measured: mean loss over the batch and how many images were right. */
public record StepResult(long step, int batchSize, double loss, int correct) {
  public double accuracy() {
    return (double) correct / batchSize;
  }
}
