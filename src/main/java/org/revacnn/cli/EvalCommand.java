package org.revacnn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Network;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Loss, accuracy, per-class accuracy and confusion matrix of a saved network on a dataset split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a saved network: loss, accuracy, per-class accuracy, confusion matrix.")
public final class EvalCommand implements Callable<Integer> {
  @Mixin
  CheckpointArgument checkpoint;

  @Mixin
  DataArguments data;

  @Option(names = "--split", defaultValue = "test", description = "test or validation (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--json", description = "Print one JSON object: loss, accuracy, perClassAccuracy, confusion.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!split.equals("test") && !split.equals("validation")) {
      throw new IllegalArgumentException("--split must be test or validation, got '" + split + "'");
    }
    Checkpoint.Contents saved = checkpoint.load();
    Datasets datasets = data.load();
    ImageSet set = split.equals("test") ? datasets.test() : datasets.validation();
    if (set.isEmpty()) throw new IllegalArgumentException(datasets.description() + " has no " + split + " images");
    Evaluation.Result r = evaluate(saved, set, datasets.description());
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("checkpoint", checkpoint.toString());
      out.put("data", datasets.description());
      out.put("split", split);
      out.put("images", r.images());
      out.put("loss", r.loss());
      out.put("accuracy", r.accuracy());
      out.put("classNames", set.classNames());
      out.put("perClassAccuracy", r.perClassAccuracy());
      out.put("confusion", r.confusion());
      System.out.println(new ObjectMapper().writeValueAsString(out));
      return 0;
    }
    System.out.printf("%s on %s (%s, %d images): loss %.4f, accuracy %.4f%n", checkpoint, datasets.description(), split,
        r.images(), r.loss(), r.accuracy());
    System.out.println("per class:");
    for (int c = 0; c < set.classCount(); c++) {
      System.out.printf("  %-12s %.4f%n", set.classNames().get(c), r.perClassAccuracy()[c]);
    }
    System.out.println("confusion (rows: actual, columns: predicted):");
    for (int[] row : r.confusion()) {
      StringBuilder line = new StringBuilder("  ");
      for (int v : row) line.append(String.format("%6d", v));
      System.out.println(line);
    }
    return 0;
  }

  /**
   * The checkpoint's network evaluated on every image of {@code set} ({@code data} describes where they come from).
   *
   * @throws IllegalArgumentException when the network takes other images or classes
   */
  static Evaluation.Result evaluate(Checkpoint.Contents saved, ImageSet set, String data) {
    if (!saved.state().architecture().input().equals(set.shape()) || saved.state().architecture().classes() != set.classCount()) {
      throw new IllegalArgumentException("the checkpoint's network takes " + saved.state().architecture().input() + " images in "
          + saved.state().architecture().classes() + " classes; " + data + " has " + set.shape() + " in " + set.classCount());
    }
    try (Network net = saved.state().restore()) {
      net.setThreads(2);
      return Evaluation.run(net, set, saved.normalization(), set.size(), Evaluation.CHUNK);
    }
  }
}