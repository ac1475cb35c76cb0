package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.SessionFixtures;

/**
 * Kills a child JVM that is writing checkpoints to one path in a loop, at random moments (some
 * before the first save completes, most mid-loop); each time the file must be absent or load.
 */
class CheckpointCrashTest {
  private static final int KILLS = 4;

  @Test
  void aKilledWriterNeverLeavesACorruptCheckpoint(@TempDir Path folder) throws Exception {
    Path path = folder.resolve("session.ckpt");
    SplittableRandom random = new SplittableRandom(7);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    int loaded = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
          System.getProperty("java.class.path"), CheckpointWriter.class.getName(), path.toString()))
          .redirectErrorStream(true).start();
      try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        // the first kill may land during start-up; later ones after a random number of saves
        int savesBeforeKill = kill == 0 ? 0 : 1 + random.nextInt(6);
        for (int saves = 0; saves < savesBeforeKill; ) {
          String line = output.readLine();
          assertThat(line).as("child output ended early").isNotNull();
          if (line.startsWith("saved ")) saves++;
        }
        // then a random moment within the next save or two
        child.waitFor(random.nextInt(40), TimeUnit.MILLISECONDS);
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
      if (Files.exists(path)) {
        Checkpoint.read(path, SessionFixtures.config());
        loaded++;
      }
    }
    assertThat(loaded).as("kills after at least one save left a loadable file").isGreaterThanOrEqualTo(KILLS - 1);
  }
}
