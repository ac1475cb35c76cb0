package org.revacnn.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Locates the real data files shared between worktrees: the system property or environment
 * variable {@code REVACNN_SHARED_DATA} if set, else {@code ../shared/data} from the project
 * directory, else {@code /work/shared/data}. Tests that need a missing folder are skipped with the
 * reason shown.
 */
final class SharedData {
  private SharedData() {}

  static Path directory(String name) {
    String configured = System.getProperty("REVACNN_SHARED_DATA", System.getenv("REVACNN_SHARED_DATA"));
    Path[] candidates = configured != null
        ? new Path[] {Path.of(configured)}
        : new Path[] {Path.of("..", "shared", "data"), Path.of("/work/shared/data")};
    for (Path root : candidates) {
      if (Files.isDirectory(root.resolve(name))) {
        return root.resolve(name);
      }
    }
    assumeTrue(false, () -> "real data folder '" + name + "' not found under " + Arrays.toString(candidates)
        + "; set REVACNN_SHARED_DATA to the folder holding cifar10/, cifar10-test-jpeg/ and mnist/");
    throw new AssertionError("unreachable");
  }
}
