package org.revacnn.session;

import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkState;

/**
 * The weights a divergence rolls back to. Every {@code every}-th session step the network is copied
 * as a candidate; the candidate becomes the good state once the next {@code confirmAfter} batches,
 * all trained from it, were calm ({@link DivergenceGuard#calm()}); a batch that is not calm drops it.
 * A batch's loss is measured before its update, so a copy taken right after a ruinous update would
 * otherwise count as good, and each rollback would restore the ruin. Training thread only.
 */
final class LastGoodState {
  private final int every;
  private final int confirmAfter;
  private NetworkState good;
  private NetworkState candidate;
  private int calmBatches;

  LastGoodState(Network network, int every, int confirmAfter) {
    this.every = every;
    this.confirmAfter = confirmAfter;
    this.good = NetworkState.capture(network);
  }

  /** After a batch the guard let pass: confirms or drops the candidate, then copies a new one if due. */
  void afterBatch(Network network, long sessionStep, boolean calm) {
    if (candidate != null) {
      if (!calm) candidate = null;
      else if (++calmBatches >= confirmAfter) {
        good = candidate;
        candidate = null;
      }
    }
    if (candidate == null && sessionStep % every == 0) {
      candidate = NetworkState.capture(network);
      calmBatches = 0;
    }
  }

  /** Makes {@code network} the good state at once (a reset: a rollback must not bring back the old network). */
  void startFrom(Network network) {
    good = NetworkState.capture(network);
    candidate = null;
  }

  /** Drops an unconfirmed candidate (after a rollback or a change of the network). */
  void dropCandidate() {
    candidate = null;
  }

  NetworkState good() {
    return good;
  }
}
