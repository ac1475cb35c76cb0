package org.revacnn.engine;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks of every layer's input and parameter gradients. The test loss is
 * L = sum(y * R) for a fixed random R, so dL/dy = R.
 */
class LayerGradientTest {

  static Stream<Arguments> convCases() {
    return Stream.of(
        Arguments.of(3, 7, 5, 4, 3, 1, 1, 2),   // odd size, pad 1
        Arguments.of(2, 6, 6, 3, 5, 1, 2, 2),   // the paper's 5x5 pad 2
        Arguments.of(3, 9, 7, 2, 3, 2, 0, 1),   // stride 2, no pad, non-square input
        Arguments.of(1, 5, 5, 3, 2, 3, 1, 3),   // stride 3, even kernel
        Arguments.of(4, 3, 3, 2, 1, 1, 0, 2),   // 1x1 kernel
        Arguments.of(2, 5, 8, 3, 5, 1, 2, 2),   // rows of whole vectors: im2col into packed panels
        Arguments.of(1, 3, 16, 5, 3, 1, 1, 3),   // the same, 3x3, two vectors per row
        Arguments.of(3, 8, 8, 4, 3, 2, 1, 2),   // ResNet downsampling: 3x3 stride 2 pad 1, even side
        Arguments.of(2, 7, 9, 3, 3, 2, 1, 2),   // the same on odd sides
        Arguments.of(4, 8, 8, 6, 1, 2, 0, 2));  // ResNet projection shortcut: 1x1 stride 2
  }

  @ParameterizedTest(name = "conv in {0}x{1}x{2} filters {3} k{4} s{5} p{6} batch {7}")
  @MethodSource("convCases")
  void convolution(int channels, int height, int width, int filters, int kernel, int stride, int pad, int batch) {
    Conv conv = new Conv("conv1", channels, filters, kernel, stride, pad);
    fill(conv.weights().value(), 1);
    fill(conv.bias().value(), 2);
    checkLayer(conv, new Shape(channels, height, width), batch);
  }

  @Test
  void relu() {
    checkLayer(new Relu("relu1"), new Shape(3, 4, 5), 2);
  }

  @Test
  void maxPoolEvenWindows() {
    Shape in = new Shape(2, 6, 6);
    checkLayer(new MaxPool("pool1", 2, 2), in, 2, GradientCheck.spacedArray(2 * in.size(), 11));
  }

  @Test
  void maxPoolOverlappingOddWindows() {
    Shape in = new Shape(2, 7, 5);
    checkLayer(new MaxPool("pool1", 3, 2), in, 2, GradientCheck.spacedArray(2 * in.size(), 11));
  }

  @Test
  void dense() {
    Dense dense = new Dense("fc1", 2 * 3 * 3, 5);
    fill(dense.weights().value(), 3);
    fill(dense.bias().value(), 4);
    checkLayer(dense, new Shape(2, 3, 3), 3);
  }

  @Test
  void globalAveragePool() {
    checkLayer(new GlobalAveragePool("gap1"), new Shape(3, 4, 5), 2);
  }

  @Test
  void dropoutInTraining() {
    checkLayer(new Dropout("drop1", 0.4f), new Shape(2, 3, 3), 2);
  }

  private static void checkLayer(Layer layer, Shape inShape, int batch) {
    checkLayer(layer, inShape, batch, GradientCheck.randomArray(batch * inShape.size(), 11));
  }

  private static void checkLayer(Layer layer, Shape inShape, int batch, float[] inputValues) {
    checkLayer(layer, inShape, batch, inputValues, true);
  }

  /** Checks the input and parameter gradients of {@code layer} in training or inference passes. */
  static void checkLayer(Layer layer, Shape inShape, int batch, float[] inputValues, boolean training) {
    Tensor input = new Tensor(batch, inShape, inputValues);
    Shape outShape = layer.outputShape(inShape);
    float[] r = GradientCheck.randomArray(batch * outShape.size(), 12);
    Frame frame = layer.newFrame();
    // the same dropout mask on every pass: a fresh random with the same seed each time
    java.util.function.Supplier<Pass> pass = () -> new Pass(training, new SplittableRandom(5));
    Tensor out = layer.forward(frame, input, pass.get());
    Tensor gradIn = layer.backward(frame, new Tensor(batch, outShape, r.clone()), true);
    float[] inputGrad = gradIn.data().clone();
    java.util.function.DoubleSupplier loss = () -> {
      Tensor y = layer.forward(layer.newFrame(), input, pass.get());
      double sum = 0;
      for (int i = 0; i < r.length; i++) sum += (double) y.data()[i] * r[i];
      return sum;
    };
    GradientCheck.check(layer.id() + " input", input.data(), inputGrad, loss, 60, 1);
    for (int p = 0; p < layer.params().size(); p++) {
      Param param = layer.params().get(p);
      GradientCheck.check(param.name(), param.value(), frame.grads()[p].clone(), loss, 60, 2 + p);
    }
    org.assertj.core.api.Assertions.assertThat(out.shape()).isEqualTo(outShape);
  }

  private static void fill(float[] values, long seed) {
    System.arraycopy(GradientCheck.randomArray(values.length, seed), 0, values, 0, values.length);
  }
}
