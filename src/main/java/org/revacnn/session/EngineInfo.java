package org.revacnn.session;

import java.util.List;
import java.util.Map;

/**
 * What trains behind a {@link Session}, as {@code GET /api/engine}, the hello and the {@code engine}
 * message describe it (docs/PROTOCOL.md). Immutable; compared by value to see whether it changed.
 *
 * @param kind        "builtin" or "pytorch"
 * @param state       "in-process" (builtin), "waiting" (no run has connected yet), "attached",
 *                    "ended" (the run said goodbye) or "dropped" (its connection was lost)
 * @param run         how many runs have attached so far (builtin: 1)
 * @param framework   e.g. "torch 1.13.1", or null while no run is attached
 * @param device      where the model lives, e.g. "cpu" or "cuda:0", or null
 * @param worldSize   processes training together (DDP), 0 while none is attached
 * @param ranks       each process's weight checksum, in rank order (may be empty when not measured)
 * @param message     a sentence for the UI, or null
 * @param unsupported command types and features ("test-view", "classify", ...) this engine cannot do, with the reason
 * @param refused     per layer id: the commands that layer cannot take, with the reason
 */
public record EngineInfo(String kind, String state, int run, String framework, String device, int worldSize,
    List<Rank> ranks, String message, Map<String, String> unsupported, Map<String, Map<String, String>> refused) {

  public static final String BUILTIN = "builtin";
  public static final String PYTORCH = "pytorch";

  /** One process of a (possibly distributed) run and the sha256 of its weights. */
  public record Rank(int rank, String checksum) {}

  public EngineInfo {
    ranks = List.copyOf(ranks);
    unsupported = Map.copyOf(unsupported);
    refused = Map.copyOf(refused);
  }

  /** Whether commands can be applied now (an in-process engine, or a run that is attached). */
  public boolean live() {
    return state.equals("in-process") || state.equals("attached");
  }

  /** The same, with these checksums. */
  public EngineInfo withRanks(List<Rank> measured) {
    return new EngineInfo(kind, state, run, framework, device, worldSize, measured, message, unsupported, refused);
  }

  /** The same engine in another state, saying {@code why}. */
  public EngineInfo withState(String newState, String why) {
    return new EngineInfo(kind, newState, run, framework, device, worldSize, ranks, why, unsupported, refused);
  }

  /** The same, saying {@code why}. */
  public EngineInfo withMessage(String why) {
    return withState(state, why);
  }

  /** The same, after a change of shape: these checksums and these per-layer refusals. */
  public EngineInfo withShape(List<Rank> measured, Map<String, Map<String, String>> layerRefusals) {
    return new EngineInfo(kind, state, run, framework, device, worldSize, measured, message, unsupported, layerRefusals);
  }
}
