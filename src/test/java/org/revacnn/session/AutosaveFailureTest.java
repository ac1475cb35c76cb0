package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed autosave is told to the user without the file's path, and training goes on. */
class AutosaveFailureTest {
  @TempDir Path folder;

  @Test
  void aFailedAutosaveSaysWhyWithoutItsPathAndTrainingGoesOn() throws Exception {
    Path notAFolder = Files.writeString(folder.resolve("plain-file"), "x");
    Path autosave = notAFolder.resolve("autosave.ckpt");
    SessionConfig config = SessionFixtures.config().withAutosave(autosave, Duration.ofNanos(1));
    try (TrainingSession session = new TrainingSession(config, SessionFixtures.data())) {
      session.applyNow(new Command.Step(3));
      for (int i = 0; i < 3; i++) session.step();
      String alert = session.alert();
      assertThat(alert).startsWith("autosave failed: ").doesNotContain(folder.toString()).doesNotContain("plain-file")
          .doesNotContain("Exception");
      assertThat(session.sessionStep()).isEqualTo(3);
    }
  }
}
