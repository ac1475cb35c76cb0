package org.revacnn.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Re-applies a saved steering log headless: each logged command runs when the session has
 * trained as many batches as when it was first applied. With the same seed, model and data, the
 * weights come out the same. Commands that do not change weights (pause, resume, step, save,
 * probe) and automatic rollbacks (the replayed run diverges at the same step by itself) are skipped.
 */
public final class SteeringLogReplay {
  static final Set<String> SKIPPED = Set.of("pause", "resume", "step", "save-checkpoint", "set-probe", "rollback");

  private final List<JsonNode> entries;
  private int next;

  private SteeringLogReplay(List<JsonNode> entries) {
    this.entries = entries;
  }

  public static SteeringLogReplay empty() {
    return new SteeringLogReplay(List.of());
  }

  /**
   * Reads a log: a JSON array of steering entries, or an object with a {@code steering} array
   * (GET /api/history), or with {@code history.steering}. Entries must be in step order.
   */
  public static SteeringLogReplay read(Path file) throws IOException {
    JsonNode root;
    try {
      root = Commands.STRICT.readTree(Files.readString(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such steering log");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode list = root.isArray() ? root : root.has("steering") ? root.get("steering")
        : root.path("history").path("steering");
    if (!list.isArray()) throw new IllegalArgumentException(file + ": no steering entries (expected an array or a 'steering' field)");
    long dropped = (root.has("droppedSteering") ? root : root.path("history")).path("droppedSteering").asLong();
    if (dropped > 0) {
      throw new IllegalArgumentException(file + ": the log has lost its " + dropped + " oldest entries (a session keeps the last "
          + History.MAX_STEERING + "), so it cannot reproduce the run");
    }
    List<JsonNode> entries = new ArrayList<>();
    long previous = Long.MIN_VALUE;
    for (JsonNode e : list) {
      if (!e.path("type").isTextual() || !e.path("step").canConvertToLong()) {
        throw new IllegalArgumentException(file + ": entry " + entries.size() + " needs a text 'type' and a numeric 'step'");
      }
      if (e.get("step").asLong() < previous) throw new IllegalArgumentException(file + ": entries are not in step order at entry " + entries.size());
      previous = e.get("step").asLong();
      entries.add(e);
    }
    return new SteeringLogReplay(entries);
  }

  /** Applies every entry logged at or before the session's current step (training thread). */
  public void applyDue(TrainingSession session) {
    while (next < entries.size() && entries.get(next).get("step").asLong() <= session.sessionStep()) {
      JsonNode entry = entries.get(next++);
      String type = entry.get("type").asText();
      if (SKIPPED.contains(type)) continue;
      CommandResult r = session.applyNow(Commands.parse(type, entry.get("payload")));
      if (!r.ok()) {
        throw new IllegalStateException("replayed '" + type + "' at step " + entry.get("step").asLong() + " failed: " + r.message());
      }
    }
  }
}
