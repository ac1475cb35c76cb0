package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.data.ImageSet;
import org.revacnn.data.Normalization;
import org.revacnn.data.SyntheticShapes;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Shape;

class WeightExportTest {
  private final NetworkState state =
      NetworkState.capture(Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 3));

  @Test
  void shapesFollowPyTorchConventions() {
    var shapes = WeightExport.shapes(state);
    assertThat(shapes.get("conv1/weights")).containsExactly(16, 3, 5, 5);
    assertThat(shapes.get("conv2/weights")).containsExactly(20, 16, 5, 5);
    assertThat(shapes.get("conv1/bias")).containsExactly(16);
    assertThat(shapes.get("output/weights")).containsExactly(10, 320);
  }

  @Test
  void blocksAndBatchNormHavePyTorchShapesToo() {
    var shapes = WeightExport.shapes(NetworkState.capture(Network.build(NetworkSpec.parse("resnet8", new Shape(3, 32, 32), 10), 3)));
    assertThat(shapes.get("conv1/weights")).containsExactly(16, 3, 3, 3);
    assertThat(shapes).doesNotContainKey("conv1/bias");
    assertThat(shapes.get("bn1/gamma")).containsExactly(16);
    assertThat(shapes.get("bn1/runningVariance")).containsExactly(16);
    // res2's main path starts with a 3x3 conv, its shortcut is a 1x1 projection
    assertThat(shapes.get("conv4/weights")).containsExactly(32, 16, 3, 3);
    assertThat(shapes.get("conv6/weights")).containsExactly(32, 16, 1, 1);
  }

  @Test
  void npyFilesHaveAValidHeaderAndTheValuesInOrder(@TempDir Path dir) throws Exception {
    WeightExport.write(state, Normalization.centred(3), dir);
    byte[] bytes = Files.readAllBytes(dir.resolve("conv1.weights.npy"));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes[0]).isEqualTo((byte) 0x93);
    assertThat(new String(bytes, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
    assertThat(bytes[6]).isEqualTo((byte) 1);
    int headerLength = b.getShort(8);
    assertThat((10 + headerLength) % 64).isZero();
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (16, 3, 5, 5), }").endsWith("\n");
    float[] expected = state.params().getFirst().value();
    assertThat(bytes.length - 10 - headerLength).isEqualTo(4 * expected.length);
    b.position(10 + headerLength);
    for (float v : expected) assertThat(b.getFloat()).isEqualTo(v);
    String biasHeader = new String(Files.readAllBytes(dir.resolve("output.bias.npy")), 10, 60, StandardCharsets.US_ASCII);
    assertThat(biasHeader).contains("'shape': (10,)");
  }

  @Test
  void jsonHoldsEveryParameterWithItsShape() throws Exception {
    JsonNode root = Commands.STRICT.readTree(WeightExport.json(state));
    assertThat(root.get("params").size()).isEqualTo(8);
    JsonNode conv1 = root.get("params").get("conv1/weights");
    assertThat(conv1.get("data").size()).isEqualTo(16 * 3 * 25);
    assertThat((float) conv1.get("data").get(7).asDouble()).isEqualTo(state.params().getFirst().value()[7]);
    assertThat(root.get("architecture").get("layers").size()).isEqualTo(10);
  }

  @Test
  void preprocessingHoldsTheTrainingSplitsConstantsOnTheZeroToOneScale(@TempDir Path dir) throws Exception {
    ImageSet images = SyntheticShapes.generate(20, 3);
    Normalization normalization = Normalization.fromTrainingSet(images);
    WeightExport.write(state, normalization, dir);
    JsonNode pre = Commands.STRICT.readTree(dir.resolve("preprocessing.json").toFile());
    assertThat(pre.get("formula").asText()).isEqualTo("(pixel/255 - mean[c]) / std[c]");
    assertThat(pre.get("layout").asText()).isEqualTo("NCHW");
    assertThat(pre.get("inputShape")).extracting(JsonNode::asInt).containsExactly(3, 32, 32);
    for (int c = 0; c < 3; c++) {
      assertThat(pre.get("mean").get(c).asDouble()).isEqualTo(normalization.mean(c)).isBetween(0.0, 1.0);
      assertThat(pre.get("std").get(c).asDouble()).isEqualTo(normalization.standardDeviation(c)).isBetween(0.0, 1.0);
      // the formula applied to a pixel gives what the engine feeds the network
      double pixel = 200;
      assertThat((pixel / 255 - pre.get("mean").get(c).asDouble()) / pre.get("std").get(c).asDouble())
          .isCloseTo(normalization.normalise(c, 200), within(1e-6));
    }
  }

  /**
   * The export alone reproduces the network: src/test/python/load_export.py builds it in PyTorch
   * from architecture.json, the .npy files and preprocessing.json, and classifies raw pixels; its
   * logits match the engine's and its probabilities, loss and accuracy match {@code eval}'s.
   */
  @Test
  void pyTorchLoadingTheExportMatchesTheEnginesLogitsAndEval(@TempDir Path dir) throws Exception {
    String python = pythonWithTorch();
    assumeTrue(python != null, "PyTorch is not installed (Debian: apt install python3-torch); the export is not checked against it");
    ImageSet images = SyntheticShapes.generate(40, 11);
    Normalization normalization = Normalization.fromTrainingSet(images);
    int count = images.size();
    int size = images.shape().size();
    float[] inputs = new float[count * size];
    normalization.writeBatch(images, 0, count, inputs);
    float[] logits;
    Evaluation.Result eval;
    // padding, stride, pooling, a conv without pool, a hidden dense layer and dropout (identity at inference)
    try (Network net = Network.build(NetworkSpec.parse("conv6-conv8k3s2nopool-fc12-drop20", images.shape(), 10), 4)) {
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) labels[i] = images.label(i);
      // a few steps, so that no bias is still at its initial zero
      for (int step = 0; step < 3; step++) net.trainStep(inputs, labels, count, Hyperparameters.defaults().withBatchSize(count));
      WeightExport.write(NetworkState.capture(net), normalization, dir.resolve("export"));
      logits = net.logits(inputs, count).clone();
      eval = Evaluation.run(net, images, normalization, count, Evaluation.CHUNK);
    }
    Path pixels = dir.resolve("pixels.u8");
    try (var out = Files.newOutputStream(pixels)) {
      for (int i = 0; i < count; i++) out.write(images.imageBytes(i));
    }
    JsonNode torch = Commands.STRICT.readTree(run(python, Path.of("src/test/python/load_export.py").toAbsolutePath().toString(),
        dir.resolve("export").toString(), pixels.toString()));

    assertThat(torch.get("logits").size()).isEqualTo(count);
    double lossSum = 0;
    int right = 0;
    for (int i = 0; i < count; i++) {
      JsonNode row = torch.get("logits").get(i);
      JsonNode probabilities = torch.get("probabilities").get(i);
      int best = 0;
      for (int c = 0; c < 10; c++) {
        assertThat(row.get(c).asDouble()).as("logit %d of image %d", c, i).isCloseTo(logits[i * 10 + c], within(1e-4));
        if (probabilities.get(c).asDouble() > probabilities.get(best).asDouble()) best = c;
      }
      for (int k = 0; k < 3; k++) {
        assertThat(probabilities.get(eval.top3()[i][k]).asDouble()).as("probability of eval's choice %d for image %d", k, i)
            .isCloseTo(eval.top3Probabilities()[i][k], within(1e-4));
      }
      lossSum -= Math.log(probabilities.get(images.label(i)).asDouble());
      if (best == images.label(i)) right++;
    }
    assertThat(lossSum / count).as("eval's loss").isCloseTo(eval.loss(), within(1e-4));
    assertThat((double) right / count).as("eval's accuracy").isEqualTo(eval.accuracy());
  }

  /** Debian's python3 (or the first on the PATH) when it can import torch, else null. */
  private static String pythonWithTorch() throws Exception {
    for (String python : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p = new ProcessBuilder(python, "-c", "import torch, numpy").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return python;
      } catch (java.io.IOException notThere) {
        // try the next one
      }
    }
    return null;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python finished").isTrue();
    assertThat(p.exitValue()).as("python's exit code").isZero();
    return out;
  }
}
