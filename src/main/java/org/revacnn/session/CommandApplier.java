package org.revacnn.session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.revacnn.engine.GrowInit;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.InsertInit;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.engine.Surgery;
import org.revacnn.engine.SurgeryResult;

/**
 * Validates and applies {@link Command}s on the training thread, one transaction each. A command
 * either succeeds, is logged in the steering log and answered with what changed, or fails with
 * one message and leaves the session exactly as it was (surgery validates before it writes; the
 * other commands build their new value first and assign it last). A command that would change
 * nothing (pause when paused, resume when running, settings equal to the current ones) is
 * answered as such and not logged, so repeating it cannot grow the log.
 */
final class CommandApplier {
  /** Upper bound for a single step command. */
  static final int MAX_STEPS = 100_000;

  /** Filter ids named in an undo description before the rest are counted. */
  private static final int IDS_NAMED = 4;

  /** The network before a structural change, and that change in words (what undoing it undoes). */
  record UndoStep(NetworkState before, String change) {}

  private final TrainingSession session;

  CommandApplier(TrainingSession session) {
    this.session = session;
  }

  CommandResult apply(Command command) {
    Map<String, Object> changes;
    try {
      changes = switch (command) {
        case Command.Pause p -> {
          if (session.stateName().equals("paused")) yield Map.of();
          session.setRunning(false);
          session.setStepsLeft(0);
          yield Map.of("state", "paused");
        }
        case Command.Resume r -> {
          if (session.running() && session.alert() == null) yield Map.of();
          session.setRunning(true);
          yield Map.of("state", "running");
        }
        case Command.Step s -> {
          if (s.batches() < 1 || s.batches() > MAX_STEPS) {
            throw new IllegalArgumentException("batches must be in 1.." + MAX_STEPS + ", got " + s.batches());
          }
          session.setStepsLeft(s.batches());
          yield Map.of("batches", s.batches());
        }
        case Command.SetHyperparameters h -> setHyperparameters(h);
        case Command.Freeze f -> surgery(false, () -> Surgery.freeze(session.network(), required(f.layer(), "layer")));
        case Command.Unfreeze f -> surgery(false, () -> Surgery.unfreeze(session.network(), required(f.layer(), "layer")));
        case Command.AddFilters a -> surgery(true, () -> Surgery.addFilters(session.network(), required(a.layer(), "layer"),
            a.count(), GrowInit.parse(a.init() == null ? "random" : a.init()), a.source(), a.noise() == null ? 0 : a.noise()));
        case Command.RemoveFilters r -> {
          if (r.filters() == null || r.filters().isEmpty()) throw new IllegalArgumentException("filters must list at least one filter id");
          yield surgery(true, () -> Surgery.removeFilters(session.network(), required(r.layer(), "layer"), r.filters()));
        }
        case Command.InsertLayer i -> surgery(true, () -> insert(i));
        case Command.RemoveLayer r -> surgery(true, () -> Surgery.removeLayer(session.network(), required(r.layer(), "layer")));
        case Command.SetProbe p -> setProbe(p);
        case Command.SaveCheckpoint c -> saveCheckpoint(c);
        case Command.Undo u -> undo();
        case Command.Reset r -> reset(r);
        case Command.Fork f -> throw new IllegalStateException(BranchedSession.NOT_BRANCHED);
        case Command.KeepBranch k -> throw new IllegalStateException(BranchedSession.NOT_BRANCHED);
        case Command.ShowBranch b -> throw new IllegalStateException(BranchedSession.NOT_BRANCHED);
      };
    } catch (IllegalArgumentException | IllegalStateException e) {
      return CommandResult.error(e.getMessage());
    }
    if (changes.isEmpty()) return CommandResult.unchanged(whyUnchanged(command));
    session.history().addSteering(new SteeringEntry(session.sessionStep(), session.epoch(), System.currentTimeMillis(),
        command.type(), Commands.payload(command), changes));
    session.publish();
    return CommandResult.ok(changes);
  }

  private Map<String, Object> setHyperparameters(Command.SetHyperparameters h) {
    Hyperparameters now = session.hyperparameters();
    Hyperparameters next = now;
    if (h.learningRate() != null) next = next.withLearningRate(h.learningRate());
    if (h.momentum() != null) next = next.withMomentum(h.momentum());
    if (h.batchSize() != null) next = next.withBatchSize(h.batchSize());
    if (h.weightDecay() != null) next = next.withWeightDecay(h.weightDecay());
    if (h.optimizer() != null) {
      OptimizerKind kind = OptimizerKind.parse(h.optimizer());
      next = next.withOptimizer(kind);
      // a new rule with the old rule's rate (Adadelta's 1 under SGD) would blow up: take the rule's default
      if (kind != now.optimizer() && h.learningRate() == null) next = next.withLearningRate(kind.defaultLearningRate());
    }
    Map<String, Object> changes = new LinkedHashMap<>();
    change(changes, "learningRate", now.learningRate(), next.learningRate());
    change(changes, "momentum", now.momentum(), next.momentum());
    change(changes, "batchSize", now.batchSize(), next.batchSize());
    change(changes, "weightDecay", now.weightDecay(), next.weightDecay());
    change(changes, "optimizer", now.optimizer().label(), next.optimizer().label());
    session.setHyperparameters(next);
    return changes;
  }

  private static void change(Map<String, Object> changes, String name, Object from, Object to) {
    if (!from.equals(to)) changes.put(name, Map.of("from", from, "to", to));
  }

  private SurgeryResult insert(Command.InsertLayer i) {
    String kind = required(i.kind(), "kind");
    String after = required(i.after(), "after");
    InsertInit init = InsertInit.parse(i.init() == null ? "random" : i.init());
    return switch (kind) {
      case "conv" -> Surgery.insertConv(session.network(), after, required(i.filters(), "filters"),
          i.kernelSize() == null ? 3 : i.kernelSize(), i.pool() != null && i.pool(), init);
      case "dense" -> Surgery.insertDense(session.network(), after, required(i.units(), "units"), init);
      case "residual" -> Surgery.insertResidual(session.network(), after, i.filters() == null ? 0 : i.filters(), init);
      default -> throw new IllegalArgumentException("kind must be conv, dense or residual, got '" + kind + "'");
    };
  }

  private interface Operation {
    SurgeryResult run();
  }

  /**
   * Runs a surgery operation (which validates before it changes anything); structural ones first
   * save the current state for undo.
   */
  private Map<String, Object> surgery(boolean structural, Operation operation) {
    NetworkState before = structural && session.config().undoDepth() > 0 ? NetworkState.capture(session.network()) : null;
    SurgeryResult result = operation.run();
    if (before != null) {
      session.undoStack().push(new UndoStep(before, changeInWords(result)));
      while (session.undoStack().size() > session.config().undoDepth()) session.undoStack().removeLast();
    }
    session.install(session.network());
    return Commands.describe(result);
  }

  /** A surgery result in words, naming the filters it added or removed: "remove 1 filter from conv2 (conv2/f5)". */
  private static String changeInWords(SurgeryResult r) {
    List<String> ids = r.addedUnits().isEmpty() ? r.removedUnits() : r.addedUnits();
    if (ids.isEmpty()) return r.description();
    String named = String.join(", ", ids.subList(0, Math.min(IDS_NAMED, ids.size())));
    return r.description() + " (" + named + (ids.size() > IDS_NAMED ? " and " + (ids.size() - IDS_NAMED) + " more" : "") + ")";
  }

  private Map<String, Object> setProbe(Command.SetProbe p) {
    if ((p.image() == null) == (p.pixels() == null)) {
      throw new IllegalArgumentException("give either image (a validation index) or pixels, not both or neither");
    }
    if (p.image() != null) {
      session.snapshots().setProbeIndex(p.image());
      return Map.of("image", p.image());
    }
    session.snapshots().setProbePixels(p.pixels(), p.label());
    return Map.of("image", "uploaded", "label", p.label() == null ? "unknown" : p.label());
  }

  private static String whyUnchanged(Command command) {
    return switch (command) {
      case Command.Pause p -> "already paused";
      case Command.Resume r -> "already running";
      default -> "the values are the current ones";
    };
  }

  /** Saves into the session's checkpoint folder only, under a plain name (see {@link CheckpointFolder}). */
  private Map<String, Object> saveCheckpoint(Command.SaveCheckpoint c) {
    java.nio.file.Path folder = session.config().checkpointDir();
    if (folder == null) {
      throw new IllegalStateException("this session has no checkpoint folder (serve --checkpoint-dir); "
          + "download the checkpoint instead (GET /api/checkpoint)");
    }
    try {
      java.nio.file.Path target = new CheckpointFolder(folder).target(c.name(), Boolean.TRUE.equals(c.overwrite()),
          session.sessionStep());
      session.saveCheckpoint(target);
      return Map.of("file", target.getFileName().toString(), "folder", target.getParent().toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot save the checkpoint: " + ErrorText.reason(e));
    }
  }

  private Map<String, Object> undo() {
    UndoStep previous = session.undoStack().peek();
    if (previous == null) throw new IllegalStateException("nothing to undo: no structural change since the start");
    Network restored = previous.before().restore();
    session.undoStack().pop();
    List<String> layers = restored.layers().stream().map(l -> l.id()).toList();
    session.install(restored);
    return Map.of("undone", previous.change(), "restoredLayers", layers);
  }

  /**
   * Builds the network afresh from the seed and the session's spec or the command's {@code model}.
   * A client's spec is shorthand only (a .json spec would make the server read a file of the
   * client's choosing); any error leaves the session's network and spec as they were.
   */
  private Map<String, Object> reset(Command.Reset r) {
    SessionConfig c = session.config();
    String model = r.model() == null ? c.model() : r.model().strip();
    if (r.model() != null && model.endsWith(".json")) {
      throw new IllegalArgumentException("model must be shorthand such as conv16-conv20-conv20; a client cannot name a spec file");
    }
    Network fresh = Network.build(ModelSpecs.parse(model, session.data().shape(), session.data().classNames().size()), c.seed());
    session.undoStack().clear();
    session.install(fresh);
    session.startedAfresh(model);
    return Map.of("model", model, "seed", c.seed());
  }

  private static <T> T required(T value, String name) {
    if (value == null) throw new IllegalArgumentException(name + " is required");
    return value;
  }
}
