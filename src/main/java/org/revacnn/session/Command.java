package org.revacnn.session;

import java.util.List;

/**
 * Everything a user can ask a {@link TrainingSession} to do. Commands come from any thread;
 * the training thread validates and applies each one between batches as one transaction.
 * Fields that are null mean "unchanged" or "default".
 */
public sealed interface Command {
  /** The protocol name of this command, e.g. {@code set-hyperparameters}. */
  String type();

  /** Whether the command changes the network's structure (and so can be undone). */
  default boolean structural() {
    return false;
  }

  record Pause() implements Command {
    public String type() {
      return "pause";
    }
  }

  record Resume() implements Command {
    public String type() {
      return "resume";
    }
  }

  /** Train exactly this many batches, then pause. */
  record Step(int batches) implements Command {
    public String type() {
      return "step";
    }
  }

  record SetHyperparameters(Float learningRate, Float momentum, Integer batchSize, Float weightDecay, String optimizer)
      implements Command {
    public String type() {
      return "set-hyperparameters";
    }
  }

  /** Adds filters to a conv layer or units to a hidden dense layer; init: random, net2net or zero-out. */
  record AddFilters(String layer, int count, String init, String source, Double noise) implements Command {
    public String type() {
      return "add-filters";
    }

    public boolean structural() {
      return true;
    }
  }

  record RemoveFilters(String layer, List<String> filters) implements Command {
    public RemoveFilters {
      filters = filters == null ? null : List.copyOf(filters);
    }

    public String type() {
      return "remove-filters";
    }

    public boolean structural() {
      return true;
    }
  }

  /**
   * Inserts a block after a layer: kind conv (filters, kernelSize, pool), dense (units) or residual
   * (a basic block and a ReLU, filters: its input's channels when absent); init: random or identity.
   */
  record InsertLayer(String after, String kind, Integer filters, Integer kernelSize, Boolean pool, Integer units, String init)
      implements Command {
    public String type() {
      return "insert-layer";
    }

    public boolean structural() {
      return true;
    }
  }

  record RemoveLayer(String layer) implements Command {
    public String type() {
      return "remove-layer";
    }

    public boolean structural() {
      return true;
    }
  }

  record Freeze(String layer) implements Command {
    public String type() {
      return "freeze";
    }
  }

  record Unfreeze(String layer) implements Command {
    public String type() {
      return "unfreeze";
    }
  }

  /** Probe with validation image {@code image}, or with uploaded {@code pixels} (uint8 CHW of the model's input shape). */
  record SetProbe(Integer image, byte[] pixels, Integer label) implements Command {
    public String type() {
      return "set-probe";
    }
  }

  /**
   * Saves the session as {@code name} (a plain file name, ".ckpt" added when missing) in the
   * session's checkpoint folder; an existing file is replaced only with {@code overwrite}.
   * Without a name: a fresh {@code step<N>.ckpt}.
   */
  record SaveCheckpoint(String name, Boolean overwrite) implements Command {
    public String type() {
      return "save-checkpoint";
    }
  }

  /** Restores the network as it was before the last structural change. */
  record Undo() implements Command {
    public String type() {
      return "undo";
    }
  }

  /**
   * Re-initialises the network with the session's seed and its model spec, or with {@code model}
   * (shorthand, e.g. conv16-conv20-conv20) which then becomes the session's spec; history is kept.
   */
  record Reset(String model) implements Command {
    public String type() {
      return "reset";
    }
  }

  /**
   * Splits the run into two branches from its state now, both training in turn (docs/PROTOCOL.md
   * "Fork"); answered by a {@link BranchedSession}, refused by a lone branch.
   */
  record Fork() implements Command {
    public String type() {
      return "fork";
    }
  }

  /** Ends every branch but {@code branch} (its run stays in the runs folder). */
  record KeepBranch(String branch) implements Command {
    public String type() {
      return "keep-branch";
    }
  }

  /** Which branch a WebSocket client is shown (and its commands without a branch go to); the server's hub answers it. */
  record ShowBranch(String branch) implements Command {
    public String type() {
      return "show-branch";
    }
  }
}
