package org.revacnn.server;

import java.util.ArrayList;
import java.util.List;
import org.revacnn.data.ImageSet;
import org.revacnn.session.Evaluation;

/**
 * What {@code GET /api/test} returns: the model's predictions on the first {@code images} images of
 * a split (the test set, or validation when there is no test set), with accuracy, per-class
 * accuracy (null for a class with no images) and the confusion matrix {@code confusion[actual][predicted]}.
 */
public record TestReport(String split, int images, double loss, double accuracy, List<String> classNames,
    double[] perClassAccuracy, int[][] confusion, List<Prediction> predictions) {

  /** One image: its index in the split, true label, and the three most probable classes, most probable first. */
  public record Prediction(int index, int label, int[] top3, float[] probabilities) {}

  static TestReport of(String split, ImageSet set, Evaluation.Result result) {
    List<Prediction> predictions = new ArrayList<>(result.images());
    for (int i = 0; i < result.images(); i++) {
      predictions.add(new Prediction(i, set.label(i), result.top3()[i], result.top3Probabilities()[i]));
    }
    return new TestReport(split, result.images(), result.loss(), result.accuracy(), set.classNames(),
        result.perClassAccuracy(), result.confusion(), predictions);
  }
}
