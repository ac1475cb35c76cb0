package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.Surgery;

class ActivationStatisticsTest {

  @Test
  void matchesTheDefinitionsOnASingleImage() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    int imageSize = net.inputShape().size();
    float[] image = java.util.Arrays.copyOf(planted.images(), imageSize);
    ActivationStatistics statistics = new ActivationStatistics(image, new int[] {planted.labels()[0]}, 1);

    statistics.observe(net);

    // conv1 is followed by relu1: read the ReLU's output and its gradient
    ProbeResult.LayerTrace trace = net.probe(image, planted.labels()[0]).layers().get(1);
    int plane = trace.shape().plane();
    List<String> ids = net.layer("conv1") instanceof org.revacnn.engine.Conv c ? c.filterIds().ids() : List.of();
    float[] zeros = statistics.zeroFraction(ids);
    float[] taylor = statistics.taylor(ids);
    for (int f = 0; f < ids.size(); f++) {
      int zeroCount = 0;
      double product = 0;
      for (int p = f * plane; p < (f + 1) * plane; p++) {
        if (trace.output()[p] == 0) zeroCount++;
        product += trace.output()[p] * trace.outputGradient()[p];
      }
      assertThat(zeros[f]).isCloseTo((float) zeroCount / plane, within(1e-6f));
      assertThat(taylor[f]).isCloseTo((float) Math.abs(product / plane), within(1e-7f));
    }
  }

  @Test
  void theClassifierHasNoApozAndRemovedFiltersAreForgotten() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = planted.measuredActivations();

    assertThat(statistics.zeroFraction(List.of("output/f0"))[0]).isNaN();
    assertThat(statistics.taylor(List.of("output/f0"))[0]).isFinite();

    Surgery.removeFilters(net, "conv2", List.of(PlantedNetwork.DEAD));
    statistics.retain(net);

    assertThat(statistics.zeroFraction(List.of(PlantedNetwork.DEAD))[0]).isNaN();
    assertThat(statistics.zeroFraction(List.of(PlantedNetwork.ORIGINAL))[0]).isFinite();
  }

  @Test
  void measuresOnlyEveryNthStep() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = new ActivationStatistics(planted.images(), planted.labels(), 3);
    net.addListener(statistics);
    var hyper = org.revacnn.engine.Hyperparameters.defaults();

    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    assertThat(statistics.taylor(List.of("conv1/f0"))[0]).isNaN();
    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    assertThat(statistics.taylor(List.of("conv1/f0"))[0]).isFinite();
  }
}
