package org.revacnn.attach;

import java.io.IOException;
import java.time.Instant;
import java.util.stream.Collectors;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.History;
import org.revacnn.session.Run;
import org.revacnn.session.RunConfig;
import org.revacnn.session.RunLog;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.Snapshot;

/**
 * Keeps every attached PyTorch run as a run of the runs folder (docs/FORMATS.md "Runs"), as a
 * served in-process session is kept: from its hello to its bye or drop, every batch point and
 * steering entry the server records is appended to the run's {@code history.jsonl}, so
 * {@code revacnn runs}, {@code report} and the page's run overlay read it. The run is named
 * {@code yyyyMMdd-HHmmss-pytorch-<conv widths>}; it has no checkpoint (the weights live in the
 * PyTorch process), so {@code serve --resume} cannot continue it. Called with the session's lock held.
 */
final class AttachedRuns {
  private final RunsFolder folder;
  private Run run;
  private RunLog log;

  AttachedRuns(RunsFolder folder) {
    this.folder = folder;
  }

  /** A run attached: its run folder is made and {@code history} is appended to its log from now on. */
  void started(AgentMessages.Hello hello, Architecture architecture, History history) throws IOException {
    ended(history);
    Snapshot.Settings s = hello.hyperparameters();
    Hyperparameters start = s == null ? Hyperparameters.defaults() : Hyperparameters.defaults()
        .withOptimizer(optimizer(s.optimizer())).withLearningRate(s.learningRate()).withMomentum(s.momentum())
        .withBatchSize(Math.max(1, s.batchSize())).withWeightDecay(s.weightDecay());
    run = folder.create(null, new RunConfig(null, Instant.now().toString(), model(architecture),
        "attached PyTorch run (" + hello.framework() + ", " + hello.device() + ", " + hello.worldSize() + " process"
            + (hello.worldSize() == 1 ? "" : "es") + ")", null, null, 0, false, start, null));
    log = RunLog.open(run.historyFile());
    history.recordTo(log, false);
  }

  /** The run ended or dropped: its log is synced and closed; nothing more is appended. */
  void ended(History history) {
    if (log == null) return;
    history.recordTo(null, false);
    log.close();
    log = null;
  }

  /** The kept run of the attached run (or of the last one), or null before the first. */
  Run run() {
    return run;
  }

  /** {@code pytorch-conv16-conv20-conv20-dense10}: what a runs listing shows as the model. */
  private static String model(Architecture architecture) {
    return architecture.layers().stream().filter(l -> l.filters() + l.units() > 0)
        .map(l -> l.kind() + (l.filters() > 0 ? l.filters() : l.units())).collect(Collectors.joining("-", "pytorch-", ""));
  }

  /** The optimiser named in the hello, or SGD when it is one this server's engine does not know. */
  private static OptimizerKind optimizer(String name) {
    try {
      return OptimizerKind.parse(name);
    } catch (IllegalArgumentException e) {
      return OptimizerKind.SGD;
    }
  }
}
