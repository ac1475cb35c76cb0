package org.revacnn.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.revacnn.attach.AttachedSession;
import org.revacnn.data.Datasets;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.server.KeptRuns;
import org.revacnn.server.WebServer;
import org.revacnn.session.BranchedSession;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Session;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts a training session and its web UI, prints the URL, and serves until Ctrl-C, which
 * closes the session and autosaves it. The session is kept as a run ({@code --runs}, {@code --run};
 * see {@link RunStart}): its history log, and its checkpoint, autosaved there unless
 * {@code --autosave} or {@code --no-autosave} says otherwise. Checkpoints saved from the page go to one folder,
 * {@code --checkpoint-dir} (default ~/.revacnn/checkpoints). With {@code --attach} it trains
 * nothing itself: it waits for a PyTorch run to connect (python/revacnn, docs/ENGINE.md).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Train a CNN and watch and steer it in the browser.")
public final class ServeCommand implements Callable<Integer> {
  /** The options that still mean something with --attach. */
  private static final Set<String> ATTACH_OPTIONS = Set.of("--attach", "--port", "--host", "--token", "--checkpoint-dir", "--runs",
      "--help", "--version");

  @Spec
  CommandSpec spec;

  @Option(names = "--attach",
      description = "Train nothing here: wait for a PyTorch run to connect (revacnn.attach in python/, docs/ENGINE.md), "
          + "then watch and steer it.")
  boolean attach;

  @Mixin
  DataArguments data;

  @Option(names = "--model", defaultValue = NetworkSpec.PAPER_MODEL, description = "Model shorthand (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--port", defaultValue = "7070", description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Interface to bind (default: ${DEFAULT-VALUE}); any other than loopback requires a token.")
  String host;

  @Option(names = "--token", description = "Token every request must carry; generated when binding a non-loopback host.")
  String token;

  @Option(names = "--resume", paramLabel = "NAME|FILE",
      description = "Continue the run NAME of --runs, appending to it (with its --data and --validation unless given), "
          + "or start a new run from the checkpoint FILE (a path: one that exists or holds a separator).")
  String resume;

  @Mixin
  RunsArgument runs;

  @Option(names = "--run", paramLabel = "NAME",
      description = "Name of the new run's folder in --runs (default: date, time and model, e.g. 20261125-140312-conv16-conv20-conv20).")
  String runName;

  @Mixin
  RunArguments run;

  @Option(names = "--autosave",
      description = "Checkpoint file written periodically and on shutdown instead of the run's checkpoint.ckpt "
          + "(which then keeps the run's start only).")
  Path autosave;

  @Option(names = "--checkpoint-dir",
      description = "The only folder the page's Save checkpoint (save-checkpoint command) writes to "
          + "(default: ~/.revacnn/checkpoints).")
  Path checkpointDir;

  @Option(names = "--no-autosave", description = "Do not write autosave checkpoints.")
  boolean noAutosave;

  @Option(names = "--autosave-minutes", defaultValue = "5", description = "Minutes between autosaves (default: ${DEFAULT-VALUE}).")
  double autosaveMinutes;

  @Option(names = "--paused", description = "Start paused (press Resume in the page) instead of training at once.")
  boolean paused;

  @Override
  public Integer call() throws Exception {
    if (attach) return serveAttached();
    if (!(autosaveMinutes > 0)) throw new IllegalArgumentException("--autosave-minutes must be > 0");
    RunStart start = new RunStart(runs.folder(), resume, runName);
    start.fillDataOptions(data, matched());
    Datasets datasets = data.load();
    TrainingSession session;
    try {
      session = start.open(sessionConfig(), !noAutosave && autosave == null, datasets, data);
    } catch (Checkpoint.CheckpointException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    removeStaleTemporaryFiles(start.run().folder());
    removeStaleTemporaryFiles(autosave == null ? null : autosave.toAbsolutePath().getParent());
    removeStaleTemporaryFiles(session.config().checkpointDir());
    // the served session can fork (docs/PROTOCOL.md "Fork"); each branch is a run of the same folder
    Serving serving = serve(new BranchedSession(session, runs.folder(), start.run()), new KeptRuns(runs.folder(), start.run().name()));
    WebServer server = serving.server();
    session.start(!paused);
    System.out.println(datasets);
    System.out.println("model " + session.config().model() + ", " + (paused ? "paused; press Resume in the page" : "training"));
    System.out.println("run " + start.run().name() + " kept in " + start.run().folder()
        + (autosave != null ? " (its checkpoints go to " + autosave + ")" : ""));
    System.out.println("ReVACNN is serving at " + server.url());
    System.out.println("Press Ctrl-C to stop; continue later with: revacnn serve --resume " + start.run().name()
        + (runs.runs != null ? " --runs " + runs.runs : ""));
    serving.stopped().await();
    return 0;
  }

  /** Serves an {@link AttachedSession} until Ctrl-C; the PyTorch run brings the model and the data. */
  private int serveAttached() throws InterruptedException {
    List<String> pointless = spec.commandLine().getParseResult().matchedOptions().stream().map(o -> o.longestName())
        .filter(name -> !ATTACH_OPTIONS.contains(name)).toList();
    if (!pointless.isEmpty()) {
      spec.commandLine().getErr().println("error: --attach takes no " + String.join(", ", pointless)
          + ": the PyTorch run brings its own model, data and settings");
      return 2;
    }
    AttachedSession session = new AttachedSession(checkpointDir != null ? checkpointDir
        : Path.of(System.getProperty("user.home"), ".revacnn", "checkpoints"), runs.folder());
    Serving serving = serve(session, new KeptRuns(runs.folder(), null));
    WebServer server = serving.server();
    String address = server.url().replaceFirst("/(\\?token=.*)?$", "");
    String tokenText = server.url().contains("?token=") ? ", token=\"" + server.url().replaceFirst(".*\\?token=", "") + "\"" : "";
    System.out.println("ReVACNN is serving at " + server.url() + " and waiting for a PyTorch run. Connect one with:");
    System.out.println("    import revacnn   # the package in python/ of this repository");
    System.out.println("    run = revacnn.attach(model, optimizer, url=\"" + address + "\"" + tokenText + ", probe=image)");
    System.out.println("or try: python3 examples/torch_train.py --data synthetic --attach " + address);
    System.out.println("Each run that attaches is kept in " + runs.folder().folder() + " (revacnn runs lists them).");
    System.out.println("Press Ctrl-C to stop.");
    serving.stopped().await();
    return 0;
  }

  /** A started server and the latch its shutdown hook releases once server and session are closed. */
  private record Serving(WebServer server, CountDownLatch stopped) {}

  /**
   * Serves {@code session} (and the runs folder {@code runs}, null for none) on the chosen host and
   * port until Ctrl-C, which closes the server and then the session.
   */
  private Serving serve(Session session, KeptRuns runs) {
    WebServer server;
    try {
      server = WebServer.start(session, WebServer.Options.of(host, port, token), runs);
    } catch (RuntimeException e) {
      session.close();
      throw new IllegalStateException("cannot serve on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      session.close();
      stopped.countDown();
    }, "revacnn-shutdown"));
    return new Serving(server, stopped);
  }

  /** Deletes what saves killed mid-write left in {@code folder} (see Checkpoint.removeStaleTemporaryFiles). */
  private static void removeStaleTemporaryFiles(Path folder) throws java.io.IOException {
    for (Path file : Checkpoint.removeStaleTemporaryFiles(folder)) System.out.println("removed " + file + ", left by an interrupted save");
  }

  /** The options given on the command line, by their longest name. */
  private Set<String> matched() {
    return spec.commandLine().getParseResult().matchedOptions().stream().map(o -> o.longestName())
        .collect(java.util.stream.Collectors.toSet());
  }

  /** The settings from the options; the autosave target is {@code --autosave} or (null) the run's checkpoint. */
  private SessionConfig sessionConfig() {
    if (noAutosave && autosave != null) throw new IllegalArgumentException("--autosave and --no-autosave contradict each other");
    SessionConfig config = run.applyTo(SessionConfig.defaults().withModel(model));
    config = config.withAutosave(noAutosave ? null : autosave, Duration.ofMillis((long) (autosaveMinutes * 60_000)));
    return config.withCheckpointDir(checkpointDir != null ? checkpointDir
        : Path.of(System.getProperty("user.home"), ".revacnn", "checkpoints"));
  }
}
