package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.InitKind;
import org.revacnn.engine.LayerSpec;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;

class ModelSpecsTest {
  @TempDir
  Path dir;

  private static final Shape INPUT = new Shape(3, 32, 32);

  @Test
  void jsonFileDescribesTheSameModelAsTheShorthand() throws Exception {
    Path file = dir.resolve("paper.json");
    StringBuilder layers = new StringBuilder();
    for (int filters : new int[] {16, 20, 20}) {
      if (!layers.isEmpty()) layers.append(',');
      layers.append("{\"type\": \"conv\", \"filters\": ").append(filters).append("}, {\"type\": \"relu\"}, {\"type\": \"pool\"}");
    }
    Files.writeString(file, "{\"layers\": [" + layers + "]}");
    assertThat(ModelSpecs.parse(file.toString(), INPUT, 10)).isEqualTo(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, INPUT, 10));
  }

  @Test
  void everyLayerKindAndTheInitAreRead() throws Exception {
    Path file = dir.resolve("m.json");
    Files.writeString(file, """
        {"init": "xavier", "layers": [{"type": "conv", "filters": 8, "kernelSize": 3, "stride": 2, "pad": 0},
          {"type": "pool", "size": 3, "stride": 1}, {"type": "dense", "units": 12}, {"type": "dropout", "rate": 0.25}]}""");
    NetworkSpec spec = ModelSpecs.parse(file.toString(), INPUT, 10);
    assertThat(spec.init()).isEqualTo(InitKind.XAVIER);
    assertThat(spec.layers()).containsExactly(new LayerSpec.ConvSpec(8, 3, 2, 0), new LayerSpec.PoolSpec(3, 1),
        new LayerSpec.DenseSpec(12), new LayerSpec.DropoutSpec(0.25f));
  }

  @Test
  void badFilesSayWhatAndWhere() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"layers\": [{\"type\": \"relu\"}, {\"type\": \"conv\", \"filters\": \"many\"}]}");
    assertThatThrownBy(() -> ModelSpecs.parse(bad.toString(), INPUT, 10))
        .hasMessageContaining("bad.json").hasMessageContaining("layer 1").hasMessageContaining("\"filters\" must be an integer");
    Files.writeString(bad, "{\"layers\": [{\"type\": \"lstm\"}]}");
    assertThatThrownBy(() -> ModelSpecs.parse(bad.toString(), INPUT, 10)).hasMessageContaining("layer 0").hasMessageContaining("lstm");
    Files.writeString(bad, "{\"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"}]}");
    assertThatThrownBy(() -> ModelSpecs.parse(bad.toString(), INPUT, 10)).hasMessageContaining("unknown field \"activation\"");
    Files.writeString(bad, "{\"layers\": [");
    assertThatThrownBy(() -> ModelSpecs.parse(bad.toString(), INPUT, 10)).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ModelSpecs.parse(dir.resolve("none.json").toString(), INPUT, 10)).hasMessageContaining("does not exist");
  }
}
