package org.revacnn.session;

import java.util.Map;

/** The answer to one command: ok with what changed, or an error message; a rejected command changed nothing. */
public record CommandResult(boolean ok, String message, Map<String, Object> changes) {
  public CommandResult {
    changes = changes == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(changes));
  }

  public static CommandResult ok(Map<String, Object> changes) {
    return new CommandResult(true, "ok", changes);
  }

  public static CommandResult error(String message) {
    return new CommandResult(false, message, Map.of());
  }
}
