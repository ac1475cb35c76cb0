package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Shape;

class LastGoodStateTest {
  private final Network network = Network.build(NetworkSpec.parse("fc4", new Shape(1, 2, 2), 2), 1);

  @Test
  void aCopyBecomesGoodOnlyAfterTheCalmBatchesTrainedFromIt() {
    LastGoodState states = new LastGoodState(network, 5, 3);
    setFirstWeight(1);
    states.afterBatch(network, 5, true);
    setFirstWeight(2);
    states.afterBatch(network, 6, true);
    states.afterBatch(network, 7, true);
    assertThat(firstWeight(states.good())).as("still the initial state").isNotEqualTo(1);
    states.afterBatch(network, 8, true);
    assertThat(firstWeight(states.good())).isEqualTo(1);
  }

  @Test
  void aBatchThatIsNotCalmDropsTheCopy() {
    LastGoodState states = new LastGoodState(network, 5, 3);
    float initial = network.params().getFirst().value()[0];
    setFirstWeight(1);
    states.afterBatch(network, 5, true);
    states.afterBatch(network, 6, true);
    states.afterBatch(network, 7, false);
    for (long step = 8; step < 10; step++) states.afterBatch(network, step, true);
    assertThat(firstWeight(states.good())).isEqualTo(initial);
    // the next copy is taken at the next multiple of 5 and confirmed as usual
    setFirstWeight(3);
    for (long step = 10; step <= 13; step++) states.afterBatch(network, step, true);
    assertThat(firstWeight(states.good())).isEqualTo(3);
  }

  private void setFirstWeight(float value) {
    network.params().getFirst().value()[0] = value;
  }

  private static float firstWeight(NetworkState state) {
    return state.params().getFirst().value()[0];
  }
}
