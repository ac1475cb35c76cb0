package org.revacnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.revacnn.analytics.ActivationStatistics;
import org.revacnn.analytics.FilterGeometry;
import org.revacnn.analytics.FilterStatistics;
import org.revacnn.analytics.LayerReport;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.Recommender;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Conv;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Surgery;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The paper's filter findings measured on a saved network: the cluster index and mean RGB mix of
 * the first conv layer (section 4.1), the recommendations, and the validation accuracy after
 * removing the top recommended filters of a layer against removing as many random ones.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Filter statistics and recommendations of a saved network; recommended vs random filter removal.")
public final class AnalyzeCommand implements Callable<Integer> {
  @Mixin
  CheckpointArgument checkpoint;

  @Mixin
  DataArguments data;

  @Option(names = "--layer", defaultValue = "conv2", description = "Layer to remove filters from (default: ${DEFAULT-VALUE}).")
  String layerId;

  @Option(names = "--remove", defaultValue = "3", description = "Filters to remove (default: ${DEFAULT-VALUE}).")
  int remove;

  @Option(names = "--draws", defaultValue = "10", description = "Random removals to average (default: ${DEFAULT-VALUE}).")
  int draws;

  @Option(names = "--analysis-images", defaultValue = "64",
      description = "Validation images for APoZ and Taylor importance (default: ${DEFAULT-VALUE}).")
  int analysisImages;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random removals (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    Checkpoint.Contents saved = checkpoint.load();
    Datasets datasets = data.load();
    ImageSet validation = datasets.validation();
    if (validation.isEmpty()) throw new IllegalArgumentException(datasets.description() + " has no validation images");
    Normalization normalization = saved.normalization();
    try (Network net = saved.state().restore()) {
      net.setThreads(2);
      System.out.printf("%s: network step %d, %s%n", checkpoint, net.step(), datasets.description());
      double baseline = accuracy(net, validation, normalization);
      System.out.printf("validation accuracy %.4f (%d images)%n", baseline, validation.size());

      ActivationStatistics activations = analysisBatch(validation, normalization, Math.min(analysisImages, validation.size()));
      activations.observe(net);
      List<LayerReport> reports = LayerReport.all(net, new FilterStatistics(), activations);
      for (LayerReport report : reports) {
        System.out.printf("%-7s cluster index %.3f, mean APoZ %.3f, activation spread %.3f%s%n", report.layerId(),
            report.clusterIndex(), mean(report.zeroFraction()), report.activationSpread(),
            report.rgbMix().length > 0 ? String.format(", mean RGB mix %.3f (min %.3f)", mean(report.rgbMix()),
                min(report.rgbMix())) : "");
      }
      // a saved network measured once on many images: every filter is judged on that one measurement
      Recommendations advice = Recommender.recommend(net, reports, Recommender.Evidence.ONE_MEASUREMENT, activations.window());
      for (Recommendations.LayerRemovals layer : advice.layers()) {
        for (Recommendations.RemovalCandidate c : layer.removals()) {
          System.out.printf("  remove %-10s %-11s %s%n", c.filter(), c.reason(), c.detail());
        }
      }
      for (Recommendations.FreezeCandidate f : advice.freeze()) System.out.printf("  freeze %s: %s%n", f.layer(), f.detail());

      Layer layer = FlatLayer.find(net, layerId);
      if (!(layer instanceof Conv conv)) throw new IllegalArgumentException("--layer must name a conv layer, got " + layerId);
      if (remove < 1 || remove >= conv.filters()) {
        throw new IllegalArgumentException("--remove must be in 1.." + (conv.filters() - 1) + ", got " + remove);
      }
      LayerReport report = reports.stream().filter(r -> r.layerId().equals(layerId)).findFirst().orElseThrow();
      List<String> recommended = Recommender.removalOrder(report, conv.weights(), Recommender.Evidence.ONE_MEASUREMENT)
          .subList(0, remove);
      double afterRecommended = accuracyWithout(saved, recommended, validation, normalization);
      System.out.printf("%s: removing the %d recommended %s -> validation accuracy %.4f (%+.4f)%n", layerId, remove,
          recommended, afterRecommended, afterRecommended - baseline);

      SplittableRandom random = new SplittableRandom(seed);
      double sum = 0;
      double squares = 0;
      for (int d = 0; d < draws; d++) {
        List<String> pool = new ArrayList<>(conv.filterIds().ids());
        List<String> chosen = new ArrayList<>();
        for (int k = 0; k < remove; k++) chosen.add(pool.remove(random.nextInt(pool.size())));
        double a = accuracyWithout(saved, chosen, validation, normalization);
        sum += a;
        squares += a * a;
      }
      double mean = sum / draws;
      double deviation = Math.sqrt(Math.max(0, squares / draws - mean * mean));
      System.out.printf("%s: removing %d random filters (%d draws, seed %d) -> validation accuracy %.4f +- %.4f (%+.4f)%n",
          layerId, remove, draws, seed, mean, deviation, mean - baseline);
    }
    return 0;
  }

  private double accuracyWithout(Checkpoint.Contents saved, List<String> filters, ImageSet set, Normalization normalization) {
    try (Network copy = saved.state().restore()) {
      copy.setThreads(2);
      Surgery.removeFilters(copy, layerId, filters);
      return accuracy(copy, set, normalization);
    }
  }

  private static double accuracy(Network net, ImageSet set, Normalization normalization) {
    return Evaluation.run(net, set, normalization, set.size(), Evaluation.CHUNK).accuracy();
  }

  private static ActivationStatistics analysisBatch(ImageSet set, Normalization normalization, int count) {
    float[] images = new float[count * set.shape().size()];
    normalization.writeBatch(set, 0, count, images);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) labels[i] = set.label(i);
    return new ActivationStatistics(images, labels, 1);
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float v : values) sum += v;
    return values.length == 0 ? Double.NaN : sum / values.length;
  }

  private static double min(float[] values) {
    double min = Double.POSITIVE_INFINITY;
    for (float v : values) min = Math.min(min, v);
    return min;
  }
}
