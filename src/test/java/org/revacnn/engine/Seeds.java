package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Seeded random cases for JUnit's {@code @RepeatedTest}: repetition {@code n} draws everything from
 * {@code new SplittableRandom(n)}, so a failing case is reproduced alone by its number. Draws favour
 * the ends of each range, as property-based testing does with its edge cases.
 */
final class Seeds {
  private Seeds() {}

  /** The source of this repetition's draws. */
  static SplittableRandom random(RepetitionInfo repetition) {
    return new SplittableRandom(repetition.getCurrentRepetition());
  }

  /** An int in {@code min..max} inclusive: each end one time in eight, otherwise uniform. */
  static int between(SplittableRandom random, int min, int max) {
    int roll = random.nextInt(8);
    if (roll == 0) return min;
    if (roll == 1) return max;
    return random.nextInt(min, max + 1);
  }

  /** One of {@code choices}, uniformly. */
  @SafeVarargs
  static <T> T oneOf(SplittableRandom random, T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** A list of {@code minSize..maxSize} elements, each drawn by {@code element}. */
  static <T> List<T> listOf(SplittableRandom random, int minSize, int maxSize, Function<SplittableRandom, T> element) {
    int size = between(random, minSize, maxSize);
    List<T> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) out.add(element.apply(random));
    return out;
  }
}
