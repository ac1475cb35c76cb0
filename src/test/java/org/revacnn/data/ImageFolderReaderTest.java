package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Shape;

class ImageFolderReaderTest {
  private static final Shape RGB32 = ImageFolderReader.DEFAULT_SHAPE;

  @TempDir Path directory;

  @Test
  void readsOneSubFolderPerClassInSortedOrder() throws Exception {
    TestFiles.writeImage(directory.resolve("zebra/a.png"), 32, 32, 0x102030);
    TestFiles.writeImage(directory.resolve("apple/b.png"), 16, 8, 0xC86432);
    TestFiles.writeImage(directory.resolve("apple/c.jpg"), 40, 40, 0x808080);
    Files.writeString(directory.resolve("apple/notes.txt"), "not an image, skipped");

    Datasets data = ImageFolderReader.read(directory, RGB32, ValidationSplit.none());

    assertThat(data.classNames()).containsExactly("apple", "zebra");
    assertThat(data.train().size()).isEqualTo(3);
    assertThat(data.train().label(0)).isZero();
    assertThat(data.train().label(2)).isEqualTo(1);
    // a solid colour stays that colour after resizing
    assertThat(data.train().pixel(0, 0, 17, 5)).isEqualTo(0xC8);
    assertThat(data.train().pixel(0, 1, 0, 31)).isEqualTo(0x64);
    assertThat(data.train().pixel(0, 2, 31, 0)).isEqualTo(0x32);
    assertThat(data.train().pixel(1, 1, 10, 10)).isBetween(0x7E, 0x82); // JPEG is lossy
    assertThat(data.train().pixel(2, 2, 3, 4)).isEqualTo(0x30);
    assertThat(data.test().isEmpty()).isTrue();
  }

  @Test
  void shrinkingAveragesEachBlockOfPixels() throws Exception {
    // 64x64 of 2x2 blocks whose four pixels are 0, 40, 80, 120 in red: every output pixel is 60
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        image.setRGB(x, y, ((x % 2) * 40 + (y % 2) * 80) << 16 | (x / 2) << 8);
      }
    }
    TestFiles.writeImage(directory.resolve("only/a.png"), image);

    ImageSet train = ImageFolderReader.read(directory, RGB32, ValidationSplit.none()).train();

    for (int x = 0; x < 32; x++) {
      assertThat(train.pixel(0, 0, 7, x)).isEqualTo(60);
      assertThat(train.pixel(0, 1, 7, x)).isEqualTo(x);
    }
  }

  @Test
  void readsGreyscaleTargetsAndTrainTestSubFolders() throws Exception {
    TestFiles.writeImage(directory.resolve("train/one/a.png"), 28, 28, 0xFFFFFF);
    TestFiles.writeImage(directory.resolve("train/two/a.png"), 28, 28, 0xFF0000);
    TestFiles.writeImage(directory.resolve("test/two/b.png"), 56, 56, 0x000000);

    Datasets data = ImageFolderReader.read(directory, new Shape(1, 28, 28), ValidationSplit.none());

    assertThat(data.shape()).isEqualTo(new Shape(1, 28, 28));
    assertThat(data.classNames()).containsExactly("one", "two");
    assertThat(data.train().pixel(0, 0, 0, 0)).isEqualTo(255);
    assertThat(data.train().pixel(1, 0, 0, 0)).isEqualTo(76); // 0.299 * 255
    assertThat(data.test().size()).isEqualTo(1);
    assertThat(data.test().label(0)).isEqualTo(1);
    assertThat(data.test().pixel(0, 0, 27, 27)).isZero();
  }

  @Test
  void greyPngKeepsItsStoredValues() throws Exception {
    BufferedImage grey = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(3, 2, 0, 100);
    TestFiles.writeImage(directory.resolve("g/a.png"), grey);

    ImageSet train = ImageFolderReader.read(directory, RGB32, ValidationSplit.none()).train();

    assertThat(train.pixel(0, 0, 2, 3)).isEqualTo(100);
    assertThat(train.pixel(0, 2, 2, 3)).isEqualTo(100);
    assertThat(train.pixel(0, 1, 0, 0)).isZero();
  }

  @Test
  void unreadableImageNamesTheFile() throws IOException {
    TestFiles.writeImage(directory.resolve("cat/good.png"), 8, 8, 0);
    Path broken = Files.write(directory.resolve("cat/broken.png"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ImageFolderReader.read(directory, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(broken.toString())
        .hasMessageContaining("not a readable image");
  }

  @Test
  void anImageOverThePixelLimitIsRefusedFromItsHeaderNamingTheFile() throws Exception {
    TestFiles.writeImage(directory.resolve("cat/good.png"), 8, 8, 0);
    Path huge = TestFiles.writeBlankPng(directory.resolve("cat/huge.png"), 20_000, 20_000);
    assertThat(Files.size(huge)).as("small on disk").isLessThan(1 << 20);
    assertThatThrownBy(() -> ImageFolderReader.read(directory, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageStartingWith(huge + " is 20000x20000 pixels")
        .hasMessageContaining("4096x4096").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void theLimitIsOnPixelsNotOnEitherSide() throws Exception {
    Path wide = TestFiles.writeBlankPng(directory.resolve("cat/wide.png"), 8192, 16);
    assertThat(ImageFolderReader.decode(wide).getWidth()).isEqualTo(8192);
    Path over = TestFiles.writeBlankPng(directory.resolve("cat/over.png"), 4097, 4096);
    assertThatThrownBy(() -> ImageFolderReader.decode(over)).isInstanceOf(DataException.class)
        .hasMessageStartingWith(over + " is 4097x4096 pixels");
  }

  @Test
  void missingDirectoryEmptyClassAndUnknownTestClassAreErrors() throws IOException {
    Path missing = directory.resolve("absent");
    assertThatThrownBy(() -> ImageFolderReader.read(missing, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(missing + " does not exist");

    assertThatThrownBy(() -> ImageFolderReader.read(directory, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining("no class sub-folders in " + directory);

    Files.createDirectories(directory.resolve("train/empty"));
    assertThatThrownBy(() -> ImageFolderReader.read(directory, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(directory.resolve("train/empty") + " holds no images");

    TestFiles.writeImage(directory.resolve("train/empty/a.png"), 4, 4, 0);
    TestFiles.writeImage(directory.resolve("test/other/a.png"), 4, 4, 0);
    assertThatThrownBy(() -> ImageFolderReader.read(directory, RGB32, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(directory.resolve("test/other").toString())
        .hasMessageContaining("no training counterpart");
  }
}
