package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tiny cases worked out by hand. */
class HandComputedTest {

  @Test
  void allOnesKernelSumsEachWindow() {
    // 4x4 input 1..16, 2x2 all-ones kernel, stride 1, no pad: each output is the sum of its window
    Conv conv = new Conv("conv1", 1, 1, 2, 1, 0);
    Arrays.fill(conv.weights().value(), 1f);
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) x[i] = i + 1;
    Tensor y = conv.forward(conv.newFrame(), new Tensor(1, new Shape(1, 4, 4), x), Pass.inference());
    assertThat(y.shape()).isEqualTo(new Shape(1, 3, 3));
    assertThat(y.data()).containsExactly(14, 18, 22, 30, 34, 38, 46, 50, 54);
  }

  @Test
  void paddingAddsZerosAroundTheBorder() {
    // 2x2 input of ones, 3x3 all-ones kernel, pad 1: every output sees all four ones
    Conv conv = new Conv("conv1", 1, 1, 3, 1, 1);
    Arrays.fill(conv.weights().value(), 1f);
    conv.bias().value()[0] = 0.5f;
    Tensor y = conv.forward(conv.newFrame(), new Tensor(1, new Shape(1, 2, 2), new float[] {1, 1, 1, 1}), Pass.inference());
    assertThat(y.data()).containsExactly(4.5f, 4.5f, 4.5f, 4.5f);
  }

  @Test
  void strideTwoWithPaddingOneHalvesTheSide() {
    // 4x4 input 1..16, 3x3 all-ones kernel, stride 2, pad 1: windows centred on (0,0), (0,2), (2,0), (2,2)
    Conv conv = new Conv("conv1", 1, 1, 3, 2, 1);
    Arrays.fill(conv.weights().value(), 1f);
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) x[i] = i + 1;
    Tensor y = conv.forward(conv.newFrame(), new Tensor(1, new Shape(1, 4, 4), x), Pass.inference());
    assertThat(y.shape()).isEqualTo(new Shape(1, 2, 2));
    // (1+2+5+6), (2+3+4+6+7+8), (5+6+9+10+13+14), (6+7+8+10+11+12+14+15+16)
    assertThat(y.data()).containsExactly(14, 30, 57, 99);
  }

  @Test
  void globalAveragePoolTakesEachPlanesMeanAndSpreadsTheGradientEvenly() {
    GlobalAveragePool pool = new GlobalAveragePool("gap1");
    Frame frame = pool.newFrame();
    Tensor y = pool.forward(frame, new Tensor(1, new Shape(2, 1, 2), new float[] {1, 3, -2, 6}), Pass.inference());
    assertThat(y.shape()).isEqualTo(new Shape(2, 1, 1));
    assertThat(y.data()).containsExactly(2, 2);
    Tensor dx = pool.backward(frame, new Tensor(1, new Shape(2, 1, 1), new float[] {4, -1}), true);
    assertThat(dx.data()).containsExactly(2, 2, -0.5f, -0.5f);
  }

  @Test
  void convolutionWeightGradientIsInputTimesOutputGradient() {
    // y = w * x on a 1x1 kernel; dL/dw = sum over positions x * dL/dy
    Conv conv = new Conv("conv1", 1, 1, 1, 1, 0);
    conv.weights().value()[0] = 2f;
    Frame frame = conv.newFrame();
    conv.forward(frame, new Tensor(1, new Shape(1, 1, 2), new float[] {3, 4}), Pass.inference());
    Tensor dx = conv.backward(frame, new Tensor(1, new Shape(1, 1, 2), new float[] {1, -1}), true);
    assertThat(frame.grads()[0][0]).isEqualTo(3f * 1 + 4f * -1);
    assertThat(frame.grads()[1][0]).isEqualTo(0f);
    assertThat(dx.data()).containsExactly(2f, -2f);
  }

  @Test
  void maxPoolPicksTheMaxAndRoutesItsGradient() {
    MaxPool pool = new MaxPool("pool1", 2, 2);
    float[] x = {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 9, 0, 1, 2};
    Frame frame = pool.newFrame();
    Tensor y = pool.forward(frame, new Tensor(1, new Shape(1, 4, 4), x), Pass.inference());
    assertThat(y.data()).containsExactly(5, 8, 9, 2);
    Tensor dx = pool.backward(frame, new Tensor(1, new Shape(1, 2, 2), new float[] {1, 2, 3, 4}), true);
    assertThat(dx.data()).containsExactly(0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4);
  }

  @Test
  void softmaxCrossEntropyOfEqualLogitsIsLogOfClassCount() {
    Tensor logits = new Tensor(1, new Shape(4, 1, 1), new float[] {0, 0, 0, 0});
    Tensor grad = new Tensor(1, new Shape(4, 1, 1));
    SoftmaxCrossEntropy.Outcome o = SoftmaxCrossEntropy.lossAndGradient(logits, new int[] {2}, 0, 1f, grad);
    assertThat(o.lossSum()).isCloseTo(Math.log(4), within(1e-9));
    assertThat(grad.data()).containsExactly(0.25f, 0.25f, -0.75f, 0.25f);
  }

  @Test
  void sgdWithMomentumMatchesTheFormula() {
    Param p = new Param("w", 1, 2, 1f);
    p.value()[0] = 1f;
    p.value()[1] = -1f;
    Hyperparameters h = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.1f).withMomentum(0.5f)
        .withWeightDecay(0.1f);
    p.grad()[0] = 2f;
    p.grad()[1] = 0f;
    Optimizer.update(p, h, 1);
    // g = grad + 0.1 * w = (2.1, -0.1); v = g; w = w - 0.1 * v
    assertThat(p.value()[0]).isCloseTo(1f - 0.21f, within(1e-6f));
    assertThat(p.value()[1]).isCloseTo(-1f + 0.01f, within(1e-6f));
    float w0 = p.value()[0];
    Optimizer.update(p, h, 2);
    // v = 0.5 * 2.1 + (2 + 0.1 * w0); w -= 0.1 * v
    assertThat(p.value()[0]).isCloseTo(w0 - 0.1f * (0.5f * 2.1f + 2f + 0.1f * w0), within(1e-6f));
  }

  @Test
  void adamFirstStepMovesByTheLearningRateAgainstTheGradientSign() {
    Param p = new Param("w", 1, 2, 0f);
    p.grad()[0] = 3f;
    p.grad()[1] = -0.001f;
    Optimizer.update(p, Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.01f), 1);
    assertThat(p.value()[0]).isCloseTo(-0.01f, within(1e-6f));
    assertThat(p.value()[1]).isCloseTo(0.01f, within(1e-5f));
  }

  @Test
  void adadeltaFirstStepMatchesTheFormula() {
    Param p = new Param("w", 1, 1, 0f);
    p.grad()[0] = 1f;
    Optimizer.update(p, Hyperparameters.defaults().withOptimizer(OptimizerKind.ADADELTA).withLearningRate(1f), 1);
    // G = 0.05; dx = -sqrt((0 + 1e-6) / (0.05 + 1e-6)) * 1
    assertThat(p.value()[0]).isCloseTo((float) -Math.sqrt(1e-6 / (0.05 + 1e-6)), within(1e-7f));
    assertThat(p.state("adadelta.dx2")[0]).isGreaterThan(0f);
  }
}
