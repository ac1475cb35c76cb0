package org.revacnn.session;

import java.time.Duration;
import java.util.List;
import org.revacnn.data.Datasets;
import org.revacnn.data.SyntheticShapes;
import org.revacnn.data.ValidationSplit;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Param;

/** Small synthetic data and a fast model shared by the session and server tests. */
public final class SessionFixtures {
  private SessionFixtures() {}

  private static Datasets data;

  /** 400 synthetic training images (40 held out for validation) and 100 test images. */
  public static synchronized Datasets data() {
    if (data == null) data = SyntheticShapes.datasets(400, 100, 42, ValidationSplit.ofCount(40, 7));
    return data;
  }

  /** The paper's model at batch 4, 1 thread, no autosave, validation every 20 steps. */
  public static SessionConfig config() {
    return SessionConfig.defaults().withThreads(1).withValidation(40, 20).withAutosave(null, Duration.ofMinutes(5))
        .withHyperparameters(Hyperparameters.defaults());
  }

  public static TrainingSession session() {
    return new TrainingSession(config(), data());
  }

  /** Runs {@code command} through the session's queue on this (the training) thread. */
  public static CommandResult apply(TrainingSession session, Command command) {
    var answer = session.submit(command);
    session.step();
    return answer.join();
  }

  /** Trains {@code batches} batches, then publishes a snapshot of the result. */
  public static void train(TrainingSession session, int batches) {
    apply(session, new Command.Step(batches));
    for (int i = 0; i < batches; i++) session.step();
    session.publish();
  }

  /** Asserts that two lists of arrays are bit-identical, naming the first array that differs (no dumps). */
  public static void assertBitIdentical(List<float[]> actual, List<float[]> expected) {
    org.assertj.core.api.Assertions.assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      org.assertj.core.api.Assertions.assertThat(java.util.Arrays.equals(actual.get(i), expected.get(i)))
          .as("array %d of %d is bit-identical", i, actual.size()).isTrue();
    }
  }

  /** Every parameter value and optimiser state, for bit-identity checks (session must be paused). */
  public static List<float[]> weightsAndState(TrainingSession session) {
    return copies(session, false);
  }

  /** Every saved array (parameters and buffers such as batch norm's running statistics) and optimiser state (paused session). */
  public static List<float[]> savedArraysAndState(TrainingSession session) {
    return copies(session, true);
  }

  private static List<float[]> copies(TrainingSession session, boolean buffers) {
    var future = session.query(net -> {
      List<float[]> all = new java.util.ArrayList<>();
      for (org.revacnn.engine.Param p : buffers ? net.savedArrays() : net.params()) {
        all.add(p.value().clone());
        p.states().values().forEach(s -> all.add(s.clone()));
      }
      return all;
    });
    session.step();
    return future.join();
  }
}
