package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValidationSplitTest {
  @Test
  void defaultHoldsOutAThousandOrTenPercentOfSmallSets() {
    assertThat(ValidationSplit.DEFAULT.heldOutCount(50_000)).isEqualTo(1_000);
    assertThat(ValidationSplit.DEFAULT.heldOutCount(10_000)).isEqualTo(1_000);
    assertThat(ValidationSplit.DEFAULT.heldOutCount(4_000)).isEqualTo(400);
    assertThat(ValidationSplit.none().heldOutCount(4_000)).isZero();
    assertThat(ValidationSplit.ofCount(9_000, 1).heldOutCount(10_000)).isEqualTo(5_000);
    assertThat(ValidationSplit.ofFraction(0.2, 1).heldOutCount(10_000)).isEqualTo(2_000);
  }

  @Test
  void maskIsSeededAndHoldsOutExactlyTheCount() {
    boolean[] first = ValidationSplit.ofCount(100, 3).heldOutMask(1_000);
    boolean[] again = ValidationSplit.ofCount(100, 3).heldOutMask(1_000);
    boolean[] other = ValidationSplit.ofCount(100, 4).heldOutMask(1_000);
    int count = 0;
    for (boolean held : first) {
      count += held ? 1 : 0;
    }
    assertThat(count).isEqualTo(100);
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void heldOutImagesAreSpreadOverTheWholeSet() {
    boolean[] mask = ValidationSplit.DEFAULT.heldOutMask(50_000);
    int inFirstHalf = 0;
    for (int i = 0; i < 25_000; i++) {
      inFirstHalf += mask[i] ? 1 : 0;
    }
    assertThat(inFirstHalf).isBetween(400, 600);
  }
}
