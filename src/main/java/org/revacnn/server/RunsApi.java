package org.revacnn.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.revacnn.session.BranchedSession;
import org.revacnn.session.History;
import org.revacnn.session.Run;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.Session;

/**
 * The handlers of {@code GET /api/runs} (the runs of the server's runs folder) and
 * {@code GET /api/history?run=NAME} (one run's history, read from its log) (docs/PROTOCOL.md), with
 * the session's live branches and the runs they write. A run
 * is named by a plain name inside the folder, never a path: other names answer 400, names of no
 * run 404. A server without a runs folder ({@code serve --attach}) lists no runs and answers 409
 * for a run's history. Stateless apart from the folder; each request reads the files afresh.
 */
final class RunsApi {
  static final String NO_FOLDER = "this server keeps no runs (serve --attach trains in the PyTorch process); "
      + "start revacnn serve to keep runs, or revacnn report to compare kept ones";
  private final KeptRuns runs;
  private final Session session;

  /**
   * @param runs    the runs folder and live run, or null when the server keeps none
   * @param session the live session, whose branches are listed
   */
  RunsApi(KeptRuns runs, Session session) {
    this.runs = runs;
    this.session = session;
  }

  /** One run as {@code /api/runs} lists it; {@code lastChange} is ISO-8601 UTC, a missing accuracy null. */
  record Listing(String name, String dataset, String model, long steps, double bestValidationAccuracy, String lastChange,
      boolean live, String problem) {}

  /** A live branch of the session (docs/PROTOCOL.md "Fork"): its id and the run it writes (null when it keeps none). */
  record BranchListing(String id, String run) {}

  /**
   * The body of {@code /api/runs}: the folder (null when none), the first branch's run (null when
   * none), every run by name, and the live branches, oldest first.
   */
  record Listings(String folder, String live, List<Listing> runs, List<BranchListing> branches) {}

  void list(Context context) throws IOException {
    List<BranchListing> branches = branches();
    Set<String> liveRuns = branches.stream().map(BranchListing::run).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    Listings body = runs == null ? new Listings(null, null, List.of(), branches)
        : new Listings(runs.folder().folder().toString(), branches.getFirst().run(),
            runs.folder().list().stream().map(s -> listing(s, liveRuns.contains(s.name()))).toList(), branches);
    context.contentType("application/json").result(Protocol.json(body));
  }

  /** The live branches: a branched session's own, else the one branch writing the live run. */
  private List<BranchListing> branches() {
    if (session instanceof BranchedSession branched) {
      return branched.branches().stream().map(b -> new BranchListing(b.id(), b.runName())).toList();
    }
    return session.branchIds().stream().map(id -> new BranchListing(id, runs == null ? null : runs.live())).toList();
  }

  private static Listing listing(RunsFolder.Summary s, boolean live) {
    return new Listing(s.name(), s.dataset(), s.model(), s.steps(), s.bestValidationAccuracy(), s.lastChange().toString(),
        live, s.problem());
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
