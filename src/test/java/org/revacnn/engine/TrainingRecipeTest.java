package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ResNet training recipe's engine parts: label smoothing and no weight decay on batch norm. */
class TrainingRecipeTest {
  @Test
  void labelSmoothingMatchesAHandComputedLossAndGradient() {
    // z = (0, ln 3): p = (1/4, 3/4); label 0, e = 0.2 over 2 classes: q = (0.8 + 0.1, 0.1)
    Tensor logits = new Tensor(1, new Shape(2, 1, 1));
    logits.data()[1] = (float) Math.log(3);
    Tensor grad = new Tensor(1, new Shape(2, 1, 1));
    SoftmaxCrossEntropy.Outcome o = SoftmaxCrossEntropy.lossAndGradient(logits, new int[] {0}, 0, 1f, 0.2f, grad);
    // L = -(0.9 ln 1/4 + 0.1 ln 3/4)
    assertThat(o.lossSum()).isCloseTo(0.9 * Math.log(4) + 0.1 * Math.log(4.0 / 3), within(1e-6));
    assertThat(grad.data()[0]).isCloseTo(0.25f - 0.9f, within(1e-6f));
    assertThat(grad.data()[1]).isCloseTo(0.75f - 0.1f, within(1e-6f));
    assertThat(o.correct()).isZero();
  }

  @Test
  void noSmoothingIsBitForBitThePlainLoss() {
    Tensor logits = new Tensor(2, new Shape(3, 1, 1));
    float[] z = {0.3f, -1.2f, 2.5f, 0.7f, 0.1f, -0.4f};
    System.arraycopy(z, 0, logits.data(), 0, z.length);
    Tensor plain = new Tensor(2, new Shape(3, 1, 1));
    Tensor smoothedByZero = new Tensor(2, new Shape(3, 1, 1));
    double a = SoftmaxCrossEntropy.lossAndGradient(logits, new int[] {2, 0}, 0, 0.5f, plain).lossSum();
    double b = SoftmaxCrossEntropy.lossAndGradient(logits, new int[] {2, 0}, 0, 0.5f, 0f, smoothedByZero).lossSum();
    assertThat(b).isEqualTo(a);
    assertThat(smoothedByZero.data()).isEqualTo(plain.data());
  }

  @Test
  void smoothedLossGradientsOfAWholeNetworkMatchFiniteDifferences() {
    try (Network net = Network.build(NetworkSpec.parse("conv3k3s2p1nopool-fc5", new Shape(2, 6, 6), 4), 5)) {
      int batch = 3;
      float[] images = GradientCheck.randomArray(batch * net.inputShape().size(), 8);
      int[] labels = {1, 3, 0};
      net.computeGradients(images, labels, batch, false, 0.3f);
      List<float[]> analytic = net.params().stream().map(p -> p.grad().clone()).toList();
      double smoothed = net.computeGradients(images, labels, batch, false, 0.3f).loss();
      assertThat(smoothed).isNotEqualTo(net.computeGradients(images, labels, batch, false).loss());
      for (int i = 0; i < analytic.size(); i++) {
        Param p = net.params().get(i);
        GradientCheck.check(p.name() + " (smoothed)", p.value(), analytic.get(i),
            () -> net.computeGradients(images, labels, batch, false, 0.3f).loss(), 25, 4);
      }
    }
  }

  @Test
  void trainStepUsesTheSettingsLabelSmoothing() {
    float[] images = GradientCheck.randomArray(4 * 2 * 36, 3);
    int[] labels = {0, 1, 2, 3};
    Hyperparameters sgd = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.1f);
    try (Network plain = Network.build(NetworkSpec.parse("conv3k3s2p1nopool-fc5", new Shape(2, 6, 6), 4), 5);
        Network smoothed = Network.build(NetworkSpec.parse("conv3k3s2p1nopool-fc5", new Shape(2, 6, 6), 4), 5)) {
      double plainLoss = plain.trainStep(images, labels, 4, sgd).loss();
      double smoothedLoss = smoothed.trainStep(images, labels, 4, sgd.withLabelSmoothing(0.1f)).loss();
      assertThat(smoothedLoss).isNotEqualTo(plainLoss);
      assertThat(smoothed.params().getFirst().value()).isNotEqualTo(plain.params().getFirst().value());
    }
  }

  @Test
  void noNormDecayExemptsBatchNormScaleAndShiftButNotWeights() {
    BatchNorm bn = new BatchNorm("bn1", 2);
    Param weights = new Param("conv1/weights", 1, 2, 1f);
    Param bias = new Param("conv1/bias", 1, 2, 0f);
    Hyperparameters h = Hyperparameters.defaults().withWeightDecay(0.01f);
    assertThat(bn.gamma().normalisation()).isTrue();
    assertThat(bn.beta().normalisation()).isTrue();
    assertThat(bn.gamma().copy().normalisation()).isTrue();
    assertThat(weights.normalisation()).isFalse();
    assertThat(h.decayOf(bn.gamma())).isEqualTo(0.01f);
    assertThat(h.decayOf(weights)).isEqualTo(0.01f);
    assertThat(h.decayOf(bias)).isZero();
    Hyperparameters exempt = h.withNoNormDecay(true);
    assertThat(exempt.decayOf(bn.gamma())).isZero();
    assertThat(exempt.decayOf(bn.beta())).isZero();
    assertThat(exempt.decayOf(weights)).isEqualTo(0.01f);
    // SGD without momentum and a zero gradient: only decay moves gamma (1 -> 1 - lr * 0.01)
    Hyperparameters sgd = exempt.withOptimizer(OptimizerKind.SGD).withLearningRate(0.5f).withMomentum(0f);
    Optimizer.update(bn.gamma(), sgd, 1);
    assertThat(bn.gamma().value()).containsOnly(1f);
    Optimizer.update(bn.gamma(), sgd.withNoNormDecay(false), 2);
    assertThat(bn.gamma().value()[0]).isCloseTo(1f - 0.5f * 0.01f, within(1e-7f));
  }

  @Test
  void labelSmoothingOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> Hyperparameters.defaults().withLabelSmoothing(1f)).hasMessageContaining("label smoothing");
    assertThatThrownBy(() -> Hyperparameters.defaults().withLabelSmoothing(-0.1f)).hasMessageContaining("label smoothing");
  }
}
