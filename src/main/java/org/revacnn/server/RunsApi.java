package org.revacnn.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.revacnn.session.History;
import org.revacnn.session.Run;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunsFolder;

/**
 * The handlers of {@code GET /api/runs} (the runs of the server's runs folder) and
 * {@code GET /api/history?run=NAME} (one run's history, read from its log) (docs/PROTOCOL.md). A run
 * is named by a plain name inside the folder, never a path: other names answer 400, names of no
 * run 404. A server without a runs folder ({@code serve --attach}) lists no runs and answers 409
 * for a run's history. Stateless apart from the folder; each request reads the files afresh.
 */
final class RunsApi {
  static final String NO_FOLDER = "this server keeps no runs (serve --attach trains in the PyTorch process); "
      + "start revacnn serve to keep runs, or revacnn report to compare kept ones";
  private final KeptRuns runs;

  /** @param runs the runs folder and live run, or null when the server keeps none */
  RunsApi(KeptRuns runs) {
    this.runs = runs;
  }

  /** One run as {@code /api/runs} lists it; {@code lastChange} is ISO-8601 UTC, a missing accuracy null. */
  record Listing(String name, String dataset, String model, long steps, double bestValidationAccuracy, String lastChange,
      boolean live, String problem) {}

  /** The body of {@code /api/runs}: the folder (null when none), the live run's name (null when none) and every run by name. */
  record Listings(String folder, String live, List<Listing> runs) {}

  void list(Context context) throws IOException {
    Listings body = runs == null ? new Listings(null, null, List.of())
        : new Listings(runs.folder().folder().toString(), runs.live(), runs.folder().list().stream().map(this::listing).toList());
    context.contentType("application/json").result(Protocol.json(body));
  }

  private Listing listing(RunsFolder.Summary s) {
    return new Listing(s.name(), s.dataset(), s.model(), s.steps(), s.bestValidationAccuracy(), s.lastChange().toString(),
        s.name().equals(runs.live()), s.problem());
  }

  /** {@code /api/history?run=NAME[&maxPoints=N]}: the same body as the live history, from the run's log. */
  void history(Context context, int maxPoints) throws IOException {
    if (runs == null) throw new ApiError(HttpStatus.CONFLICT, NO_FOLDER);
    History history = read(open(context.queryParam("run")));
    context.contentType("application/json").result(Protocol.json(history.view(maxPoints)));
  }

  /** The run {@code name}: 400 when it is not a plain name, 404 when the folder has no such run. */
  private Run open(String name) {
    RunsFolder.checkName(name);
    if (!runs.folder().exists(name)) {
      throw new ApiError(HttpStatus.NOT_FOUND, "no run named '" + name + "' in the runs folder (GET /api/runs lists them)");
    }
    return runs.folder().open(name);
  }

  /** The run's history; 404 without a log, 500 naming the line of a damaged one. */
  private static History read(Run run) throws IOException {
    try {
      return RunLogReader.restore(run.historyFile()).history();
    } catch (NoSuchFileException e) {
      throw new ApiError(HttpStatus.NOT_FOUND, "the run '" + run.name() + "' has no history yet");
    } catch (IllegalArgumentException e) {
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, "the run '" + run.name() + "' has a damaged history: " + e.getMessage());
    }
  }
}
