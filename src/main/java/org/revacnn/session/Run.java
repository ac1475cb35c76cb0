package org.revacnn.session;

import java.nio.file.Path;

/**
 * One run's folder inside the runs folder ({@link RunsFolder}): {@code config.json} (how it
 * started), {@code history.jsonl} (its history log, {@link RunLog}) and {@code checkpoint.ckpt}
 * (its latest checkpoint). See docs/FORMATS.md. An immutable handle; it holds nothing open.
 */
public record Run(String name, Path folder) {
  public Path configFile() {
    return folder.resolve("config.json");
  }

  public Path historyFile() {
    return folder.resolve("history.jsonl");
  }

  public Path checkpointFile() {
    return folder.resolve("checkpoint.ckpt");
  }
}
