package org.revacnn.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.revacnn.data.ImageSet;
import org.revacnn.session.Evaluation;

/**
 * One evaluation of the model on the first {@code result.images()} images of a split (the test set,
 * or validation when there is no test set), kept under {@code id} so that its predictions can be
 * read a page at a time, all of them or one confusion cell's, while the network trains on.
 * Immutable.
 */
record TestReport(int id, String split, ImageSet set, Evaluation.Result result) {

  /**
   * What {@code GET /api/test} returns: accuracy, per-class accuracy (null for a class with no
   * images), the confusion matrix {@code confusion[actual][predicted]} and the first page of predictions.
   */
  record Summary(int report, String split, int images, double loss, double accuracy, List<String> classNames,
      double[] perClassAccuracy, int[][] confusion, Page page) {}

  /**
   * Predictions {@code offset .. offset + predictions.size() - 1} of the {@code total} images that
   * have true class {@code actual} and predicted class {@code predicted} (null: any), in index order.
   */
  record Page(int report, Integer actual, Integer predicted, int total, int offset, List<Prediction> predictions) {}

  /** One image: its index in the split, true label, and the three most probable classes, most probable first. */
  record Prediction(int index, int label, int[] top3, float[] probabilities) {}

  int classes() {
    return result.confusion().length;
  }

  Summary summary(Page first) {
    return new Summary(id, split, result.images(), result.loss(), result.accuracy(), set.classNames(),
        result.perClassAccuracy(), result.confusion(), first);
  }

  /**
   * The images whose true class is {@code actual} and whose most probable class is {@code predicted}
   * (null matches any), ascending: one pass over the report, no network.
   */
  int[] select(Integer actual, Integer predicted) {
    int[] chosen = new int[result.images()];
    int n = 0;
    for (int i = 0; i < result.images(); i++) {
      if ((actual == null || set.label(i) == actual) && (predicted == null || result.top3()[i][0] == predicted)) chosen[n++] = i;
    }
    return Arrays.copyOf(chosen, n);
  }

  /** The page of {@code images} (a {@link #select} answer) starting at {@code offset}, at most {@code limit} long. */
  Page page(Integer actual, Integer predicted, int[] images, int offset, int limit) {
    int end = Math.min(images.length, offset + limit);
    List<Prediction> predictions = new ArrayList<>(Math.max(0, end - offset));
    for (int k = offset; k < end; k++) {
      int i = images[k];
      predictions.add(new Prediction(i, set.label(i), result.top3()[i], result.top3Probabilities()[i]));
    }
    return new Page(id, actual, predicted, images.length, offset, predictions);
  }
}
