package org.revacnn.attach;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** A run's connection for tests: keeps what the session sent it, and why it was closed. */
public final class RecordingLink implements AttachedSession.Link {
  static final ObjectMapper JSON = new ObjectMapper();

  public final List<JsonNode> sent = new ArrayList<>();
  String closedBecause;

  @Override
  public synchronized void send(String json) {
    try {
      sent.add(JSON.readTree(json));
    } catch (java.io.IOException e) {
      throw new AssertionError("the session sent invalid JSON: " + json, e);
    }
  }

  @Override
  public synchronized void close(String reason) {
    closedBecause = reason;
  }

  public synchronized JsonNode last() {
    return sent.isEmpty() ? null : sent.get(sent.size() - 1);
  }

  public synchronized List<JsonNode> ofType(String type) {
    return sent.stream().filter(m -> m.path("type").asText().equals(type)).toList();
  }
}
