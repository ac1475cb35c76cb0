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
import org.revacnn.server.WebServer;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts a training session and its web UI, prints the URL, and serves until Ctrl-C, which
 * closes the session and autosaves it (to ~/.revacnn/autosave.ckpt unless {@code --autosave} or
 * {@code --no-autosave} says otherwise). Checkpoints saved from the page go to one folder,
 * {@code --checkpoint-dir} (default ~/.revacnn/checkpoints). With {@code --attach} it trains
 * nothing itself: it waits for a PyTorch run to connect (python/revacnn, docs/ENGINE.md).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Train a CNN and watch and steer it in the browser.")
public final class ServeCommand implements Callable<Integer> {
  /** The options that still mean something with --attach. */
  private static final Set<String> ATTACH_OPTIONS = Set.of("--attach", "--port", "--host", "--token", "--checkpoint-dir",
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

  @Option(names = "--resume", description = "Continue from this checkpoint file.")
  Path resume;

  @Mixin
  RunArguments run;

  @Option(names = "--autosave", description = "Checkpoint file written periodically and on shutdown (default: ~/.revacnn/autosave.ckpt).")
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
    Datasets datasets = data.load();
    TrainingSession session;
    try {
      session = openSession(datasets);
    } catch (Checkpoint.CheckpointException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    removeStaleTemporaryFiles(autosave == null ? null : autosave.toAbsolutePath().getParent());
    removeStaleTemporaryFiles(session.config().checkpointDir());
    WebServer server;
    try {
      server = WebServer.start(session, WebServer.Options.of(host, port, token));
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
    session.start(!paused);
    System.out.println(datasets);
    System.out.println("model " + session.config().model() + ", " + (paused ? "paused; press Resume in the page" : "training"));
    System.out.println("ReVACNN is serving at " + server.url());
    System.out.println("Press Ctrl-C to stop" + (autosave != null ? " (the session is saved to " + autosave + ")" : "") + ".");
    stopped.await();
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
        : Path.of(System.getProperty("user.home"), ".revacnn", "checkpoints"));
    WebServer server;
    try {
      server = WebServer.start(session, WebServer.Options.of(host, port, token));
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
    String address = server.url().replaceFirst("/(\\?token=.*)?$", "");
    String tokenText = server.url().contains("?token=") ? ", token=\"" + server.url().replaceFirst(".*\\?token=", "") + "\"" : "";
    System.out.println("ReVACNN is serving at " + server.url() + " and waiting for a PyTorch run. Connect one with:");
    System.out.println("    import revacnn   # the package in python/ of this repository");
    System.out.println("    run = revacnn.attach(model, optimizer, url=\"" + address + "\"" + tokenText + ", probe=image)");
    System.out.println("or try: python3 examples/torch_train.py --data synthetic --attach " + address);
    System.out.println("Press Ctrl-C to stop.");
    stopped.await();
    return 0;
  }

  /** Deletes what saves killed mid-write left in {@code folder} (see Checkpoint.removeStaleTemporaryFiles). */
  private static void removeStaleTemporaryFiles(Path folder) throws java.io.IOException {
    for (Path file : Checkpoint.removeStaleTemporaryFiles(folder)) System.out.println("removed " + file + ", left by an interrupted save");
  }

  private TrainingSession openSession(Datasets datasets) throws Checkpoint.CheckpointException {
    SessionConfig config = SessionConfig.defaults().withModel(model);
    config = run.applyTo(config);
    if (autosave == null && !noAutosave) autosave = Path.of(System.getProperty("user.home"), ".revacnn", "autosave.ckpt");
    if (noAutosave) autosave = null;
    if (autosave != null) config = config.withAutosave(autosave, Duration.ofMillis((long) (autosaveMinutes * 60_000)));
    config = config.withCheckpointDir(checkpointDir != null ? checkpointDir
        : Path.of(System.getProperty("user.home"), ".revacnn", "checkpoints"));
    if (resume == null) return new TrainingSession(config, datasets);
    return TrainingSession.resume(Checkpoint.read(resume, config), datasets, config);
  }
}
