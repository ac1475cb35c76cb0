package org.revacnn.server;

import java.nio.file.Path;
import org.revacnn.session.Command;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/** Child-process main for {@link CheckpointCrashTest}: trains and checkpoints to one path, forever, until killed. */
public final class CheckpointWriter {
  private CheckpointWriter() {}

  public static void main(String[] args) {
    Path path = Path.of(args[0]);
    try (TrainingSession session = new TrainingSession(SessionFixtures.config().withCheckpointDir(path.getParent()),
        SessionFixtures.data())) {
      for (long saves = 1; ; saves++) {
        SessionFixtures.train(session, 1);
        var result = SessionFixtures.apply(session, new Command.SaveCheckpoint(path.getFileName().toString(), true));
        if (!result.ok()) throw new IllegalStateException(result.message());
        System.out.println("saved " + saves);
        System.out.flush();
      }
    }
  }
}
