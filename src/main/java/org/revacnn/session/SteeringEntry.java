package org.revacnn.session;

import java.util.Map;

/**
 * One accepted command in the steering log: when it was applied (session step, epoch, wall
 * clock), what it was (protocol type and payload) and what it changed. Replaying the entries at
 * their steps on the same seed reproduces the run.
 */
public record SteeringEntry(long step, int epoch, long wallMillis, String type, Map<String, Object> payload,
    Map<String, Object> result) {
  public SteeringEntry {
    payload = payload == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(payload));
    result = result == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(result));
  }
}
