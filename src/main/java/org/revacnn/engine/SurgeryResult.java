package org.revacnn.engine;

import java.util.List;

/**
 * What one {@link Surgery} operation did: the layers and units (filters) it added and removed,
 * by id, and every weight region it wrote ({@link WeightChange}). Everything not listed kept its
 * values and optimiser state bit for bit.
 *
 * @param description a one-line summary such as {@code add 2 filters to conv2 (net2net)}
 */
public record SurgeryResult(String description, List<String> addedLayers, List<String> removedLayers,
    List<String> addedUnits, List<String> removedUnits, List<WeightChange> changes) {

  public SurgeryResult {
    addedLayers = List.copyOf(addedLayers);
    removedLayers = List.copyOf(removedLayers);
    addedUnits = List.copyOf(addedUnits);
    removedUnits = List.copyOf(removedUnits);
    changes = List.copyOf(changes);
  }
}
