package org.revacnn.analytics;

import java.util.SplittableRandom;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;

/**
 * A small seeded network ({@code conv8-conv10} on 3x16x16, 4 classes) with planted faults in
 * conv2: filter f6 is an exact copy of f2 (weights and bias), and f4 has bias -100 so its ReLU
 * never fires. Plus a fixed batch of random images for the activation statistics.
 */
record PlantedNetwork(Network network, float[] images, int[] labels) {
  static final String DUPLICATE = "conv2/f6";
  static final String ORIGINAL = "conv2/f2";
  static final String DEAD = "conv2/f4";

  static PlantedNetwork build() {
    Shape input = new Shape(3, 16, 16);
    Network net = Network.build(NetworkSpec.parse("conv8-conv10", input, 4), 17);
    Conv conv2 = (Conv) net.layer("conv2");
    int size = conv2.weights().unitSize();
    float[] w = conv2.weights().value();
    System.arraycopy(w, 2 * size, w, 6 * size, size);
    conv2.bias().value()[6] = conv2.bias().value()[2];
    conv2.bias().value()[4] = -100;
    int count = 16;
    SplittableRandom random = new SplittableRandom(3);
    float[] images = new float[count * input.size()];
    for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
    int[] labels = random.ints(count, 0, 4).toArray();
    return new PlantedNetwork(net, images, labels);
  }

  /** Activation statistics measured once on the whole fixed batch. */
  ActivationStatistics measuredActivations() {
    ActivationStatistics statistics = new ActivationStatistics(images, labels, 1);
    statistics.observe(network);
    return statistics;
  }
}
