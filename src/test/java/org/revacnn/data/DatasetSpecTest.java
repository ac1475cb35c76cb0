package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetSpecTest {
  @Test
  void parsesEveryAcceptedForm() throws DataException {
    assertThat(DatasetSpec.parse("synthetic")).isEqualTo(new DatasetSpec.Synthetic(
        SyntheticShapes.DEFAULT_TRAIN_COUNT, SyntheticShapes.DEFAULT_TEST_COUNT, SyntheticShapes.DEFAULT_SEED));
    assertThat(DatasetSpec.parse("synthetic:2_000")).isEqualTo(new DatasetSpec.Synthetic(
        2_000, SyntheticShapes.DEFAULT_TEST_COUNT, SyntheticShapes.DEFAULT_SEED));
    assertThat(DatasetSpec.parse("cifar10:/data/c")).isEqualTo(new DatasetSpec.Cifar10(Path.of("/data/c")));
    assertThat(DatasetSpec.parse("cifar10")).isEqualTo(new DatasetSpec.Cifar10(Downloader.defaultDirectory("cifar10")));
    assertThat(DatasetSpec.parse("mnist:m")).isEqualTo(new DatasetSpec.Mnist(Path.of("m"), false));
    assertThat(DatasetSpec.parse("fashion-mnist:f")).isEqualTo(new DatasetSpec.Mnist(Path.of("f"), true));
    assertThat(DatasetSpec.parse("folder:pics")).isEqualTo(
        new DatasetSpec.Folder(Path.of("pics"), ImageFolderReader.DEFAULT_SHAPE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cifar", "imagenet:/x", "synthetic:many", "synthetic:5", "folder", "folder:", "mnist: "})
  void badNamesListTheAcceptedForms(String text) {
    assertThatThrownBy(() -> DatasetSpec.parse(text)).isInstanceOf(DataException.class)
        .hasMessageContaining("'" + text + "'")
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(DatasetSpec.ACCEPTED_FORMS, "whole number"));
  }

  @Test
  void loadsSyntheticWithTheDefaultSplit() throws DataException {
    Datasets data = DatasetSpec.parse("synthetic:500").load(ValidationSplit.DEFAULT, null);
    assertThat(data.train().size()).isEqualTo(450);
    assertThat(data.validation().size()).isEqualTo(50);
    assertThat(data.test().size()).isEqualTo(SyntheticShapes.DEFAULT_TEST_COUNT);
  }

  @Test
  void loadingAMissingDirectoryIsOneClearError(@TempDir Path directory) throws DataException {
    Path missing = directory.resolve("none");
    for (String kind : new String[] {"cifar10", "mnist", "fashion-mnist", "folder"}) {
      DatasetSpec spec = DatasetSpec.parse(kind + ":" + missing);
      assertThatThrownBy(() -> spec.load(ValidationSplit.DEFAULT, null)).isInstanceOf(DataException.class)
          .hasMessageContaining(missing + " does not exist");
    }
  }
}
