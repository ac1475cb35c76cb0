package org.revacnn.server;

import org.revacnn.session.RunsFolder;

/**
 * The runs folder a server reads for {@code GET /api/runs} and {@code GET /api/history?run=NAME},
 * and the name of the run its live session keeps there (null when it keeps none).
 *
 * @param folder the runs folder ({@code serve --runs})
 * @param live   the live session's run, or null
 */
public record KeptRuns(RunsFolder folder, String live) {
  public KeptRuns {
    if (folder == null) throw new IllegalArgumentException("a runs folder is required");
  }
}
