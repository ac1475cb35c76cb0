package org.revacnn.session;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.ImageMap;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.TsneKind;
import org.revacnn.engine.Architecture;

/**
 * What the web server steers, whichever engine trains: the in-process one ({@link TrainingSession})
 * or a PyTorch run attached over docs/ENGINE.md ({@code org.revacnn.attach.AttachedSession}). The
 * REST and WebSocket API are written against this; what an engine cannot do is listed in
 * {@link EngineInfo#unsupported()} with the reason. Every method is safe from any thread.
 */
public interface Session extends AutoCloseable {
  /** The id of a run's first branch; a session that never forks has only this one. */
  String FIRST_BRANCH = "A";

  /** The ids of the live branches, oldest first (docs/PROTOCOL.md "Fork"): just {@link #FIRST_BRANCH} unless forked. */
  default List<String> branchIds() {
    return List.of(FIRST_BRANCH);
  }

  /** The live branch {@code id} as a session of its own (null: the first); IllegalArgumentException for any other id. */
  default Session branch(String id) {
    if (id == null || id.equals(FIRST_BRANCH)) return this;
    throw new IllegalArgumentException(BranchedSession.unknownBranch(id, branchIds()));
  }

  /** Queues a command for branch {@code branch} (null: the first); an id that is not live is an error result. */
  default CompletableFuture<CommandResult> submit(String branch, Command command) {
    try {
      return branch(branch).submit(command);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(CommandResult.error(e.getMessage()));
    }
  }


  /** Queues a command; the future completes with ok and what changed, or an error (the model untouched). */
  CompletableFuture<CommandResult> submit(Command command);

  /** The latest snapshot, or null before the first one (an attached server waiting for its first run). */
  Snapshot latest();

  /** The network as it is now, or null while no network is known yet. */
  Architecture architecture();

  /** Loss, accuracy, validation and steering history of every run this session has seen. */
  History history();

  /** What trains and what it cannot do (cheap; changes when a run attaches, ends or changes shape). */
  EngineInfo engine();

  /** {@link #engine()} with each rank's weight checksum taken now. */
  CompletableFuture<EngineInfo> engineWithChecksums();

  /** How often snapshots are published, per second. */
  double snapshotHz();

  /** A sentence saying where the images come from. */
  String dataDescription();

  /** The class names, indexed by label (empty while unknown). */
  List<String> classNames();

  /** A t-SNE map of one layer's filters; fails with IllegalArgumentException for an unknown layer. */
  CompletableFuture<FilterMap> filterMap(String layerId, TsneKind kind);

  /** A t-SNE map of validation images by the classifier's input. */
  CompletableFuture<ImageMap> imageMap();

  /** Removal and freeze recommendations for the network as it is now. */
  CompletableFuture<Recommendations> recommendations();

  /**
   * What the clients' open views need of the next snapshots (the union of their views); an engine
   * that builds its snapshots cheaply enough may ignore it, since the encoder leaves out what is not wanted.
   */
  default void demand(SnapshotDemand demand) {}

  /** The in-process engine's session, for what needs its network and data (test images, activation maps); else empty. */
  Optional<TrainingSession> inProcess();

  @Override
  void close();
}
