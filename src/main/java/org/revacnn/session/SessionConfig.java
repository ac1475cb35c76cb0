package org.revacnn.session;

import java.nio.file.Path;
import java.time.Duration;
import org.revacnn.data.Augmentation;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.NetworkSpec;

/**
 * How a session is started.
 *
 * @param model               model shorthand (see ModelShorthand)
 * @param seed                seeds weights, data order, augmentation and dropout
 * @param snapshotHz          snapshots published per second
 * @param validationImages    size of the fixed validation subset evaluated periodically
 * @param validationEvery     steps between validation evaluations
 * @param divergenceFactor    the median loss of the last 9 batches above this multiple of the mean of the 200 before
 *                            (and 1 nat above it) counts as divergence (see DivergenceGuard)
 * @param goodStateEvery      steps between in-memory copies of the weights, each good once 9 calm batches followed it
 * @param undoDepth           structural changes that can be undone
 * @param augmentation        random flips and shifts (crops of the zero-padded image) of training images
 * @param autosaveEvery       time between autosaves (null: never)
 * @param autosavePath        where autosaves go (null: no autosave)
 * @param checkpointDir       the only folder a client's save-checkpoint command writes to (null: such saves are refused)
 */
public record SessionConfig(String model, long seed, Hyperparameters hyperparameters, int threads, double snapshotHz,
    int validationImages, int validationEvery, double divergenceFactor, int goodStateEvery, int undoDepth,
    Augmentation augmentation, Duration autosaveEvery, Path autosavePath, Path checkpointDir) {

  public SessionConfig {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    if (!(snapshotHz > 0 && snapshotHz <= 100)) throw new IllegalArgumentException("snapshot rate must be in (0, 100] Hz, got " + snapshotHz);
    if (validationImages < 0) throw new IllegalArgumentException("validation images must be >= 0");
    if (validationEvery < 1) throw new IllegalArgumentException("validation interval must be >= 1 step");
    if (!(divergenceFactor > 1)) throw new IllegalArgumentException("divergence factor must be > 1, got " + divergenceFactor);
    if (goodStateEvery < 1) throw new IllegalArgumentException("good-state interval must be >= 1 step");
    if (undoDepth < 0) throw new IllegalArgumentException("undo depth must be >= 0");
    if (augmentation == null) throw new IllegalArgumentException("augmentation must be given (Augmentation.NONE for none)");
  }

  /** Whether training images are augmented at all. */
  public boolean augment() {
    return !augmentation.equals(Augmentation.NONE);
  }

  /** The paper's model and settings: batch 4, SGD with momentum, 10 Hz snapshots. */
  public static SessionConfig defaults() {
    return new SessionConfig(NetworkSpec.PAPER_MODEL, 1, Hyperparameters.defaults(), 2, 10, 500, 500, 4.0, 100, 10,
        Augmentation.FLIP_AND_SHIFT_2, Duration.ofMinutes(5), null, null);
  }

  public SessionConfig withModel(String value) {
    return new SessionConfig(value, seed, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withSeed(long value) {
    return new SessionConfig(model, value, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withHyperparameters(Hyperparameters value) {
    return new SessionConfig(model, seed, value, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withThreads(int value) {
    return new SessionConfig(model, seed, hyperparameters, value, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withSnapshotHz(double value) {
    return new SessionConfig(model, seed, hyperparameters, threads, value, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withValidation(int images, int every) {
    return new SessionConfig(model, seed, hyperparameters, threads, snapshotHz, images, every,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  /** With the paper's flips and 2-pixel shifts, or none. */
  public SessionConfig withAugment(boolean value) {
    return withAugmentation(value ? Augmentation.FLIP_AND_SHIFT_2 : Augmentation.NONE);
  }

  public SessionConfig withAugmentation(Augmentation value) {
    return new SessionConfig(model, seed, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, value, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withAutosave(Path path, Duration every) {
    return new SessionConfig(model, seed, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, every, path, checkpointDir);
  }

  public SessionConfig withDivergence(double factor, int goodEvery) {
    return new SessionConfig(model, seed, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        factor, goodEvery, undoDepth, augmentation, autosaveEvery, autosavePath, checkpointDir);
  }

  public SessionConfig withCheckpointDir(Path value) {
    return new SessionConfig(model, seed, hyperparameters, threads, snapshotHz, validationImages, validationEvery,
        divergenceFactor, goodStateEvery, undoDepth, augmentation, autosaveEvery, autosavePath, value);
  }
}
