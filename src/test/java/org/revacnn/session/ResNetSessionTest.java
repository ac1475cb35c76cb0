package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.BatchNorm;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Param;
import org.revacnn.engine.Residual;
import org.revacnn.engine.Shape;

/** A ResNet in a session: snapshots, undo and checkpoints with batch norm's running statistics. */
class ResNetSessionTest {
  @TempDir
  Path dir;

  private static SessionConfig resnet8() {
    return SessionFixtures.config().withModel("resnet8");
  }

  @Test
  void trainsAndPublishesSnapshotsWithEveryLayerKind() {
    try (TrainingSession s = new TrainingSession(resnet8(), SessionFixtures.data())) {
      train(s, 3);
      Snapshot snapshot = s.latest();
      assertThat(snapshot.loss()).isFinite();
      // the views' order: each block's inner layers in place of the block
      assertThat(snapshot.layers()).extracting(Snapshot.LayerView::kind)
          .containsSubsequence("conv", "batchnorm", "relu", "conv", "batchnorm", "relu", "conv", "batchnorm", "relu", "globalpool",
              "dense")
          .doesNotContain("residual");
      assertThat(s.architecture().layers().get(3).main()).isNotEmpty();
    }
  }

  @Test
  void resumingACheckpointContinuesBitIdenticallyIncludingRunningStatistics() throws Exception {
    List<float[]> expected;
    try (TrainingSession straight = new TrainingSession(resnet8(), SessionFixtures.data())) {
      train(straight, 8);
      var names = straight.query(net -> net.savedArrays().stream().map(Param::name).toList());
      var normalised = straight.query(net -> net.layers().stream().anyMatch(BatchNorm.class::isInstance));
      straight.step();
      assertThat(names.join()).as("the running statistics are compared too").anyMatch(n -> n.endsWith("/runningVariance"));
      assertThat(normalised.join()).isTrue();
      expected = SessionFixtures.savedArraysAndState(straight);
    }
    try (TrainingSession first = new TrainingSession(resnet8().withCheckpointDir(dir), SessionFixtures.data())) {
      train(first, 4);
      assertThat(apply(first, new Command.SaveCheckpoint("res", null)).ok()).isTrue();
    }
    Checkpoint.Contents saved = Checkpoint.read(dir.resolve("res.ckpt"), SessionFixtures.config());
    assertThat(saved.state().params()).extracting(Param::name).contains("bn1/runningMean", "bn1/runningVariance");
    try (TrainingSession resumed = TrainingSession.resume(saved, SessionFixtures.data(), SessionFixtures.config())) {
      train(resumed, 4);
      SessionFixtures.assertBitIdentical(SessionFixtures.savedArraysAndState(resumed), expected);
    }
  }

  @Test
  void aJsonModelFileDescribesTheSameBlocksAsTheShorthand() throws Exception {
    Path file = dir.resolve("resnet8.json");
    String block16 = "{\"type\": \"residual\", \"main\": [" + conv(16, 1) + ", {\"type\": \"batchnorm\"}, {\"type\": \"relu\"}, "
        + conv(16, 1) + ", {\"type\": \"batchnorm\"}]}, {\"type\": \"relu\"}";
    String block32 = "{\"type\": \"residual\", \"main\": [" + conv(32, 2) + ", {\"type\": \"batchnorm\"}, {\"type\": \"relu\"}, "
        + conv(32, 1) + ", {\"type\": \"batchnorm\"}]}, {\"type\": \"relu\"}";
    String block64 = "{\"type\": \"residual\", \"main\": [" + conv(64, 2) + ", {\"type\": \"batchnorm\"}, {\"type\": \"relu\"}, "
        + conv(64, 1) + ", {\"type\": \"batchnorm\"}], \"shortcut\": [{\"type\": \"conv\", \"filters\": 64, \"kernelSize\": 1, "
        + "\"stride\": 2, \"pad\": 0, \"bias\": false}, {\"type\": \"batchnorm\"}]}, {\"type\": \"relu\"}";
    Files.writeString(file, "{\"layers\": [" + conv(16, 1) + ", {\"type\": \"batchnorm\"}, {\"type\": \"relu\"}, " + block16 + ", "
        + block32 + ", " + block64 + ", {\"type\": \"globalpool\"}]}");
    Shape input = new Shape(3, 32, 32);
    NetworkSpec fromFile = ModelSpecs.parse(file.toString(), input, 10);
    NetworkSpec shorthand = ModelSpecs.parse("resnet8", input, 10);
    // the file spells the 64-wide shortcut out and leaves the 32-wide one automatic: both build the same network
    try (var a = org.revacnn.engine.Network.build(fromFile, 5); var b = org.revacnn.engine.Network.build(shorthand, 5)) {
      assertThat(org.revacnn.engine.Architecture.of(a)).usingRecursiveComparison()
          .isEqualTo(org.revacnn.engine.Architecture.of(b));
      assertThat(a.parameterCount()).isEqualTo(b.parameterCount());
      assertThat(((Residual) a.layers().get(7)).shortcut()).hasSize(2);
    }
  }

  @Test
  void badBlocksInAJsonModelFileGetClearErrors() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"layers\": [{\"type\": \"residual\", \"main\": []}]}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSpecs.parse(file.toString(), new Shape(3, 8, 8), 10))
        .hasMessage("model file " + file + ", layer 0: a residual block needs a non-empty \"main\" array of layers");
    Files.writeString(file, "{\"layers\": [{\"type\": \"residual\", \"main\": [{\"type\": \"conv\", \"filters\": 4, \"bias\": 1}]}]}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSpecs.parse(file.toString(), new Shape(3, 8, 8), 10))
        .hasMessage("model file " + file + ", layer 0 main 0: \"bias\" must be true or false");
  }

  private static String conv(int filters, int stride) {
    return "{\"type\": \"conv\", \"filters\": " + filters + ", \"kernelSize\": 3, \"stride\": " + stride + ", \"pad\": 1, \"bias\": false}";
  }
}
