package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Shape;

class ImageSetTest {
  @Test
  void storesPixelsChannelMajorPerImage() {
    Shape shape = new Shape(2, 2, 3);
    byte[] pixels = new byte[2 * shape.size()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
    ImageSet set = ImageSet.of(shape, pixels, new int[] {1, 0}, List.of("a", "b"));
    // ((i*C + c)*H + y)*W + x
    assertThat(set.pixel(1, 1, 0, 2)).isEqualTo(((1 * 2 + 1) * 2 + 0) * 3 + 2);
    assertThat(set.imageBytes(1)[0]).isEqualTo((byte) 12);
    pixels[0] = 99; // the set copied its input
    assertThat(set.pixel(0, 0, 0, 0)).isZero();
  }

  @Test
  void subsetRangeAndCountsKeepLabelsWithTheirImages() {
    ImageSet set = TestFiles.numberedSet(10, 1, 2, 3);
    ImageSet picked = set.subset(new int[] {7, 2});
    assertThat(picked.size()).isEqualTo(2);
    assertThat(picked.pixel(0, 0, 1, 1)).isEqualTo(70);
    assertThat(picked.label(0)).isEqualTo(1);
    assertThat(set.range(3, 5).pixel(1, 0, 0, 0)).isEqualTo(40);
    assertThat(set.first(100).size()).isEqualTo(10);
    assertThat(set.classCounts()).containsExactly(4, 3, 3);
  }

  @Test
  void splitHoldsOutTheSameImagesAsTheReaders() {
    ImageSet set = TestFiles.numberedSet(50, 1, 2, 5);
    ValidationSplit split = ValidationSplit.ofCount(5, 123);
    ImageSet.TrainValidation parts = set.split(split);
    boolean[] heldOut = split.heldOutMask(50);
    assertThat(parts.train().size()).isEqualTo(45);
    assertThat(parts.validation().size()).isEqualTo(5);
    for (int v = 0, i = 0; i < 50; i++) {
      if (heldOut[i]) {
        assertThat(parts.validation().pixel(v++, 0, 0, 0)).isEqualTo((i * 10) & 0xFF);
      }
    }
  }

  @Test
  void rejectsLabelsOutOfRange() {
    assertThatThrownBy(() -> ImageSet.of(new Shape(1, 1, 1), new byte[1], new int[] {2}, List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2 of image 0");
  }
}
