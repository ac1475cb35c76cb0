package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.revacnn.session.SnapshotDemand;

/** The view message: parsed strictly into what a client's views need of the snapshots, never into a command. */
class ViewMessageTest {
  @Test
  void aViewNamesLayersAndStatistics() throws Exception {
    Protocol.Request request = Protocol.parseRequest("{\"type\":\"view\",\"id\":\"v1\",\"payload\":{\"layers\":[\"conv2\"],\"statistics\":[\"apoz\"]}}");
    assertThat(request.command()).isNull();
    assertThat(request.view()).isEqualTo(new SnapshotDemand(Set.of("conv2"), Set.of("apoz")));
    assertThat(Protocol.parseRequest("{\"type\":\"view\"}").view()).isEqualTo(SnapshotDemand.NONE);
  }

  @Test
  void badViewsAreErrors() {
    for (String payload : new String[] {"{\"layers\":\"conv2\"}", "{\"layers\":[3]}", "{\"statistics\":[\"jitter\"]}", "{\"zoom\":[]}", "[]"}) {
      assertThatThrownBy(() -> Protocol.parseRequest("{\"type\":\"view\",\"id\":\"v\",\"payload\":" + payload + "}"))
          .as(payload).isInstanceOf(Protocol.BadRequest.class);
    }
  }

  @Test
  void theUnionOfViewsWantsWhatAnyWants() {
    SnapshotDemand union = SnapshotDemand.union(java.util.List.of(new SnapshotDemand(Set.of("a"), Set.of()),
        new SnapshotDemand(Set.of("b"), Set.of("taylor"))));
    assertThat(union.detail("a", 5000)).isTrue();
    assertThat(union.detail("c", 5000)).isFalse();
    assertThat(union.detail("c", 1000)).as("a small model").isTrue();
    assertThat(union.statistic("taylor", "c", 5000)).isTrue();
    assertThat(union.statistic("apoz", "c", 5000)).isFalse();
  }
}
