package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Batch norm against PyTorch 1.13's {@code BatchNorm2d} (numbers printed by
 * src/test/resources/reference/batchnorm_reference.py, which documents the inputs), and
 * finite-difference checks of its gradients in training and inference passes.
 */
class BatchNormTest {
  private static final Shape SHAPE = new Shape(3, 2, 3);
  private static final int BATCH = 2;

  // printed by batchnorm_reference.py
  private static final float[] TRAIN_OUTPUT = {-2.00451326e+00f, 1.33094168e+00f, -5.75032532e-01f, 2.76042223e+00f, 8.54448080e-01f, -1.05152607e+00f, -4.01932716e-01f, 2.26171017e-01f, 8.54274750e-01f, -2.44906783e-01f, 3.83196950e-01f, 1.01130068e+00f, 9.75575328e-01f, -1.57557523e+00f, 2.88893819e+00f, 3.37787688e-01f, -2.21336293e+00f, 2.25115061e+00f, 3.77954543e-01f, -1.52801967e+00f, 1.80743515e+00f, -9.85389948e-02f, -2.00451326e+00f, 1.33094168e+00f, 5.40222883e-01f, -5.58958650e-01f, 6.91450834e-02f, 6.97248816e-01f, -4.01932716e-01f, 2.26171017e-01f, -2.85115051e+00f, 1.61336303e+00f, -9.37787592e-01f, -3.48893809e+00f, 9.75575328e-01f, -1.57557523e+00f};
  private static final float[] INPUT_GRADIENT = {-1.39959824e+00f, -4.75991070e-01f, 8.68172407e-01f, -1.30542862e+00f, 3.87348607e-02f, 1.38289821e+00f, 2.21877739e-01f, -3.06630671e-01f, 1.85529426e-01f, 3.08659058e-02f, -4.97642547e-01f, -5.48238633e-03f, 5.45454443e-01f, -1.76788080e+00f, -5.89588463e-01f, 1.24269605e+00f, -1.07063937e+00f, 1.07653037e-01f, 1.26820111e+00f, -4.84843433e-01f, 4.38763618e-01f, -1.31428099e+00f, 2.98824906e-02f, 9.53489423e-01f, 9.64753181e-02f, -5.81882335e-02f, 4.33971912e-01f, -9.45365205e-02f, -2.49200076e-01f, 2.42960081e-01f, 5.83283603e-01f, 1.76157606e+00f, -5.51759303e-01f, 1.28052497e+00f, -1.68680215e+00f, 1.45482123e-01f};
  private static final float[] GAMMA_GRADIENT = {7.57757187e-01f, 2.06750822e+00f, 8.76958013e-01f};
  private static final float[] BETA_GRADIENT = {8.75000000e-01f, -1.25000000e+00f, -1.25000000e-01f};
  private static final float[] RUNNING_MEAN = {-1.45833334e-02f, 5.41666709e-02f, 1.00000001e-01f};
  private static final float[] RUNNING_VARIANCE = {9.67566252e-01f, 9.69128788e-01f, 9.67045426e-01f};
  private static final float[] EVAL_OUTPUT = {-1.78391850e+00f, 8.84701312e-01f, -6.40224278e-01f, 2.02839541e+00f, 5.03469884e-01f, -1.02145565e+00f, -5.34336686e-01f, -2.64381021e-02f, 4.81460452e-01f, -4.07362044e-01f, 1.00536540e-01f, 6.08435094e-01f, 2.54729414e+00f, 5.13512611e-01f, 4.07263041e+00f, 2.03884888e+00f, 5.06722927e-03f, 3.56418490e+00f, 1.22238502e-01f, -1.40268707e+00f, 1.26593268e+00f, -2.58992910e-01f, -1.78391850e+00f, 8.84701312e-01f, 2.27511182e-01f, -6.61311328e-01f, -1.53412744e-01f, 3.54485810e-01f, -5.34336686e-01f, -2.64381021e-02f, -5.03378153e-01f, 3.05573940e+00f, 1.02195799e+00f, -1.01182353e+00f, 2.54729414e+00f, 5.13512611e-01f};

  /** The reference script's input: ((i * 7) % 11 - 5) / 4 + c / 2 at flat index i, channel c. */
  private static Tensor referenceInput() {
    float[] x = new float[BATCH * SHAPE.size()];
    for (int i = 0; i < x.length; i++) x[i] = ((i * 7) % 11 - 5) * 0.25f + (i / SHAPE.plane() % SHAPE.channels()) * 0.5f;
    return new Tensor(BATCH, SHAPE, x);
  }

  private static BatchNorm referenceLayer() {
    BatchNorm bn = new BatchNorm("bn1", 3);
    System.arraycopy(new float[] {1.5f, -0.5f, 2f}, 0, bn.gamma().value(), 0, 3);
    System.arraycopy(new float[] {0.1f, 0.2f, -0.3f}, 0, bn.beta().value(), 0, 3);
    return bn;
  }

  @Test
  void trainingAndInferenceMatchPyTorch() {
    BatchNorm bn = referenceLayer();
    Tensor x = referenceInput();
    float[] dy = new float[x.data().length];
    for (int i = 0; i < dy.length; i++) dy[i] = ((i * 5) % 13 - 6) / 8f;
    Frame frame = bn.newFrame();
    assertClose(bn.forward(frame, x, new Pass(true, null)).data(), TRAIN_OUTPUT);
    assertClose(bn.backward(frame, new Tensor(BATCH, SHAPE, dy), true).data(), INPUT_GRADIENT);
    assertClose(frame.grads()[0], GAMMA_GRADIENT);
    assertClose(frame.grads()[1], BETA_GRADIENT);
    assertClose(bn.runningMean().value(), RUNNING_MEAN);
    assertClose(bn.runningVariance().value(), RUNNING_VARIANCE);
    assertClose(bn.forward(bn.newFrame(), x, Pass.inference()).data(), EVAL_OUTPUT);
    // inference leaves the running statistics alone
    assertClose(bn.runningMean().value(), RUNNING_MEAN);
  }

  @Test
  void startsAsPyTorchDoes() {
    BatchNorm bn = new BatchNorm("bn1", 2);
    assertThat(bn.gamma().value()).containsExactly(1f, 1f);
    assertThat(bn.beta().value()).containsExactly(0f, 0f);
    assertThat(bn.runningMean().value()).containsExactly(0f, 0f);
    assertThat(bn.runningVariance().value()).containsExactly(1f, 1f);
    assertThat(bn.params()).containsExactly(bn.gamma(), bn.beta());
    assertThat(bn.buffers()).containsExactly(bn.runningMean(), bn.runningVariance());
  }

  @Test
  void gradientsInTrainingMatchFiniteDifferences() {
    BatchNorm bn = new BatchNorm("bn1", 3);
    fillParams(bn);
    LayerGradientTest.checkLayer(bn, new Shape(3, 3, 4), 2, GradientCheck.randomArray(2 * 36, 11), true);
  }

  @Test
  void gradientsInInferenceMatchFiniteDifferences() {
    BatchNorm bn = new BatchNorm("bn1", 3);
    fillParams(bn);
    System.arraycopy(new float[] {0.3f, -0.2f, 0.1f}, 0, bn.runningMean().value(), 0, 3);
    System.arraycopy(new float[] {0.5f, 2f, 1.2f}, 0, bn.runningVariance().value(), 0, 3);
    LayerGradientTest.checkLayer(bn, new Shape(3, 3, 4), 2, GradientCheck.randomArray(2 * 36, 11), false);
  }

  @Test
  void refusesBatchStatisticsOfOneValue() {
    BatchNorm bn = new BatchNorm("bn1", 2);
    Tensor one = new Tensor(1, new Shape(2, 1, 1));
    assertThatThrownBy(() -> bn.forward(bn.newFrame(), one, new Pass(true, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than one value per channel");
    assertThat(bn.forward(bn.newFrame(), one, Pass.inference()).data()).hasSize(2);
  }

  @Test
  void refusesTheWrongChannelCount() {
    assertThatThrownBy(() -> new BatchNorm("bn1", 4).outputShape(new Shape(3, 2, 2)))
        .hasMessage("bn1 normalises 4 channels but gets 3");
  }

  private static void fillParams(BatchNorm bn) {
    float[] g = GradientCheck.randomArray(3, 3);
    for (int c = 0; c < 3; c++) bn.gamma().value()[c] = 1f + g[c];
    System.arraycopy(GradientCheck.randomArray(3, 4), 0, bn.beta().value(), 0, 3);
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) assertThat(actual[i]).as("[%d]", i).isCloseTo(expected[i], within(2e-5f));
  }
}
