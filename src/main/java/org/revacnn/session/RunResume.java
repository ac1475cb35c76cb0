package org.revacnn.session;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.revacnn.data.Datasets;

/**
 * Continues a kept run ({@code serve --resume NAME}): the network, optimiser state and data
 * position come from the run's {@code checkpoint.ckpt}, the history from its {@code history.jsonl},
 * which usually goes further (it is flushed every half second, the checkpoint written every few
 * minutes). The batches logged after the checkpoint stay in the history, and the session step
 * counts on from the last of them, so the curves never step back; the weights, though, are the
 * checkpoint's, as after a rollback. A steering entry of type {@value #TYPE} at that step records
 * the checkpoint's step and how many logged batches and steering entries (those logged after the
 * checkpoint file was written) the weights do not reflect. A half-written last line of the log is cut off before appending. Stateless.
 */
public final class RunResume {
  /** The steering entry marking a resume. */
  public static final String TYPE = "run-resumed";

  private RunResume() {}

  /**
   * The session of {@code run}, appending to its log (locked while the session is open).
   *
   * @throws IllegalArgumentException when the log is corrupt, ends before the checkpoint, or the
   *     data does not fit the network
   * @throws Checkpoint.CheckpointException when the run has no usable checkpoint
   * @throws IOException when the log cannot be read or is in use by another process
   */
  public static TrainingSession resume(Run run, Datasets data, SessionConfig settings)
      throws IOException, Checkpoint.CheckpointException {
    RunLog log = RunLog.open(run.historyFile());
    try {
      Checkpoint.Contents saved = Checkpoint.read(run.checkpointFile(), settings);
      RunLogReader.Replay replay = RunLogReader.restore(run.historyFile());
      History history = replay.history();
      long logged = history.lastStep();
      if (logged < saved.sessionStep()) {
        throw new IllegalArgumentException("the run '" + run.name() + "' has a history log that ends at step " + logged
            + ", before its checkpoint's step " + saved.sessionStep() + ": the log was cut short");
      }
      long examples = Math.max(saved.examplesSeen(), history.lastExamplesSeen());
      Checkpoint.Contents continued = new Checkpoint.Contents(saved.config(), saved.dataset(), saved.state(),
          saved.hyperparameters(), logged, examples, saved.samplerEpoch(), saved.samplerPosition(), history.full(),
          saved.probeIndex(), saved.normalization());
      TrainingSession session = TrainingSession.resume(continued, data, settings);
      log.cutTo(replay.completeBytes());
      session.keepRun(log, false);
      // the checkpoint is written on the training thread, so an entry logged after the file's time came after it
      long written = Files.getLastModifiedTime(run.checkpointFile()).toMillis();
      long steeringLost = history.steering().stream().filter(e -> e.wallMillis() > written).count();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("checkpointStep", saved.sessionStep());
      result.put("batchesNotInWeights", logged - saved.sessionStep());
      result.put("steeringNotInWeights", steeringLost);
      result.put("tornLineDropped", replay.tornTail());
      session.history().addSteering(new SteeringEntry(logged, session.epoch(), System.currentTimeMillis(), TYPE, Map.of(), result));
      return session;
    } catch (IOException | Checkpoint.CheckpointException | RuntimeException e) {
      log.close();
      throw e;
    }
  }
}
