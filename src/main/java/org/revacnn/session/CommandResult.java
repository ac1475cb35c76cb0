package org.revacnn.session;

import java.util.Map;

/**
 * The answer to one command: ok with what changed, ok with why nothing changed (empty
 * changes), or an error message; a rejected command changed nothing.
 */
public record CommandResult(boolean ok, String message, Map<String, Object> changes) {
  public CommandResult {
    changes = changes == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(changes));
  }

  public static CommandResult ok(Map<String, Object> changes) {
    return new CommandResult(true, "ok", changes);
  }

  /** An accepted command that changed nothing, e.g. pause when already paused: {@code message} says why. */
  public static CommandResult unchanged(String why) {
    return new CommandResult(true, "nothing changed: " + why, Map.of());
  }

  /** Whether the command was accepted but changed nothing. */
  public boolean unchanged() {
    return ok && changes.isEmpty();
  }

  public static CommandResult error(String message) {
    return new CommandResult(false, message, Map.of());
  }
}
