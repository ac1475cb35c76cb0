package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;
import static org.revacnn.session.SessionFixtures.weightsAndState;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Architecture;

/** What undo says it undid, and reset with a new model spec (a bad one changes nothing). */
class ResetAndUndoTest {

  @Test
  void undoSaysWhichChangeItUndid() {
    try (TrainingSession s = SessionFixtures.session()) {
      assertThat(apply(s, new Command.AddFilters("conv2", 1, "random", null, null)).ok()).isTrue();
      assertThat(apply(s, new Command.RemoveFilters("conv1", List.of("conv1/f3"))).ok()).isTrue();
      CommandResult undoRemove = apply(s, new Command.Undo());
      assertThat(undoRemove.ok()).isTrue();
      assertThat(undoRemove.changes().get("undone")).isEqualTo("remove 1 filter from conv1 (conv1/f3)");
      CommandResult undoAdd = apply(s, new Command.Undo());
      assertThat((String) undoAdd.changes().get("undone")).startsWith("add 1 filter to conv2").endsWith("(conv2/f20)");
      // the steering log keeps the answer, so the UI's log can say it too
      assertThat(s.history().steering().getLast().result()).containsEntry("undone", undoAdd.changes().get("undone"));
    }
  }

  @Test
  void resetWithAModelBuildsItAndMakesItTheSessionsSpec() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 2);
      CommandResult r = apply(s, new Command.Reset(" conv8-conv12nopool "));
      assertThat(r.ok()).as(r.message()).isTrue();
      assertThat(r.changes()).containsEntry("model", "conv8-conv12nopool");
      List<Architecture.LayerInfo> convs = s.architecture().layers().stream().filter(l -> l.kind().equals("conv")).toList();
      assertThat(convs).extracting(Architecture.LayerInfo::filters).containsExactly(8, 12);
      assertThat(s.config().model()).isEqualTo("conv8-conv12nopool");
      assertThat(s.checkpointContents().config().model()).isEqualTo("conv8-conv12nopool");
      // a plain reset now rebuilds the new spec; the network trains
      assertThat(apply(s, new Command.Reset(null)).changes()).containsEntry("model", "conv8-conv12nopool");
      train(s, 2);
      s.publish();
      assertThat(s.latest().loss()).isFinite();
    }
  }

  @Test
  void aBadModelIsAClearErrorAndLeavesTheSessionAsItWas() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 2);
      assertThat(apply(s, new Command.AddFilters("conv2", 1, "random", null, null)).ok()).isTrue();
      List<float[]> before = weightsAndState(s);
      Architecture architecture = s.architecture();
      int logged = s.history().steering().size();
      List<String> bad = List.of("", "conv0", "conv16-zz", "conv4096k64-conv4096k64", "conv64-fc4096",
          "conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool"
              + "-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool-conv1k1p64nopool",
          "pool64", "/etc/model.json");
      for (String model : bad) {
        CommandResult r = apply(s, new Command.Reset(model));
        assertThat(r.ok()).as(model).isFalse();
        assertThat(r.message()).as(model).isNotBlank().doesNotContain("Exception");
      }
      assertThat(apply(s, new Command.Reset("/etc/model.json")).message()).contains("shorthand");
      assertThat(apply(s, new Command.Reset("conv4096k64-conv4096k64")).message()).contains("weights");
      SessionFixtures.assertBitIdentical(weightsAndState(s), before);
      assertThat(s.architecture()).usingRecursiveComparison().isEqualTo(architecture);
      assertThat(s.config().model()).isEqualTo(SessionFixtures.config().model());
      assertThat(s.history().steering()).hasSize(logged);
      // the undo history survived the refused resets
      assertThat(apply(s, new Command.Undo()).ok()).isTrue();
    }
  }

  @Test
  void theResetPayloadTakesAModelField() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(Commands.parse("reset", json.readTree("{\"model\": \"conv8\"}"))).isEqualTo(new Command.Reset("conv8"));
    assertThat(Commands.parse("reset", json.readTree("{}"))).isEqualTo(new Command.Reset(null));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Commands.parse("reset", json.readTree("{\"spec\": \"conv8\"}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec");
  }
}
