package org.revacnn.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.revacnn.data.Datasets;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.server.WebServer;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts a training session and its web UI, prints the URL, and serves until Ctrl-C, which
 * closes the session and autosaves it (to ~/.revacnn/autosave.ckpt unless {@code --autosave} or
 * {@code --no-autosave} says otherwise). Checkpoints saved from the page go to one folder,
 * {@code --checkpoint-dir} (default ~/.revacnn/checkpoints).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Train a CNN and watch and steer it in the browser.")
public final class ServeCommand implements Callable<Integer> {
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
    if (!(autosaveMinutes > 0)) throw new IllegalArgumentException("--autosave-minutes must be > 0");
    Datasets datasets = data.load();
    TrainingSession session;
    try {
      session = openSession(datasets);
    } catch (Checkpoint.CheckpointException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
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
