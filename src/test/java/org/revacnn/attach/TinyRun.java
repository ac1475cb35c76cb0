package org.revacnn.attach;

/**
 * The messages of a small attached run, consistent with each other as a real agent's are: input
 * 3x8x8, conv "0" with 2 filters of 3x3 (RGB thumbnails), ReLU "1", Flatten "2", Linear "3" with 2
 * units, classes "cat" and "dog".
 */
public final class TinyRun {
  private TinyRun() {}

  public static final String ARCHITECTURE = """
      {"input": [3, 8, 8], "ranks": [{"rank": 0, "checksum": "aa11"}], "layers": [
        {"id": "0", "kind": "conv", "module": "Conv2d", "outputShape": [2, 8, 8], "filters": 2, "kernelSize": 3, "stride": 1,
         "pad": 1, "frozen": false, "unitIds": ["0/f0", "0/f1"], "nextUnitNumber": 2, "thumbnailChannels": 3,
         "refused": {"remove-layer": "it maps 3 channels to 2"}},
        {"id": "1", "kind": "relu", "module": "ReLU", "outputShape": [2, 8, 8], "filters": 0, "kernelSize": 0, "stride": 0,
         "pad": 0, "frozen": false, "unitIds": [], "nextUnitNumber": 0, "thumbnailChannels": 0,
         "refused": {"freeze": "it has no parameters"}},
        {"id": "2", "kind": "flatten", "module": "Flatten", "outputShape": [128], "filters": 0, "kernelSize": 0, "stride": 0,
         "pad": 0, "frozen": false, "unitIds": [], "nextUnitNumber": 0, "thumbnailChannels": 0, "refused": {}},
        {"id": "3", "kind": "dense", "module": "Linear", "outputShape": [2], "filters": 2, "kernelSize": 0, "stride": 0,
         "pad": 0, "frozen": false, "unitIds": ["3/f0", "3/f1"], "nextUnitNumber": 2, "thumbnailChannels": 0, "refused": {}}]}""";

  public static String hello() {
    return """
        {"type": "hello", "payload": {"protocolVersion": 2, "kind": "pytorch", "framework": "torch 1.13.1", "device": "cpu",
         "worldSize": 1, "ranks": [{"rank": 0, "checksum": "aa11"}], "architecture": %s, "classNames": ["cat", "dog"],
         "hyperparameters": {"optimizer": "sgd", "learningRate": 0.01, "momentum": 0.9, "batchSize": 4, "weightDecay": 0.0},
         "snapshotHz": 10.0, "commands": ["add-filters", "pause", "resume", "save-checkpoint", "set-hyperparameters", "step", "undo"],
         "requests": ["checksums", "vectors"]}}""".formatted(ARCHITECTURE);
  }

  /** A snapshot at {@code step} with this loss (null: none) and learning rate. */
  public static String snapshot(long step, Double loss, double learningRate) {
    return """
        {"type": "snapshot", "payload": {"step": %d, "epoch": 1, "epochProgress": 1.5, "examplesSeen": %d, "state": "running", "loss": %s, "trainAccuracy": 0.5,
         "imagesPerSecond": 400.0,
         "hyperparameters": {"optimizer": "sgd", "learningRate": %s, "momentum": 0.9, "batchSize": 4, "weightDecay": 0.0},
         "layers": [
           {"id": "0", "jitter": [0.01, 0.02], "activation": [5.0, 1.0], "thumbnailSize": 3, "thumbnailChannels": 3,
            "thumbnails": [%s]},
           {"id": "3", "jitter": [0.1, 0.2], "activation": [0.3, -0.4], "thumbnailSize": 0, "thumbnailChannels": 0, "thumbnails": []}],
         "probe": {"label": 1, "probabilities": [0.25, 0.75]}, "wallMillis": 1796220094385}}"""
        .formatted(step, step * 4, loss == null ? "null" : loss.toString(), Double.toString(learningRate), thumbnails());
  }

  /** A light snapshot at {@code step} (docs/ENGINE.md): loss and jitter, no probe, paths or thumbnails. */
  public static String lightSnapshot(long step, double loss) {
    return """
        {"type": "snapshot", "payload": {"step": %d, "epoch": 1, "epochProgress": 1.5, "examplesSeen": %d, "state": "running", "loss": %s, "trainAccuracy": 0.5,
         "imagesPerSecond": 400.0,
         "hyperparameters": {"optimizer": "sgd", "learningRate": 0.01, "momentum": 0.9, "batchSize": 4, "weightDecay": 0.0},
         "layers": [{"id": "0", "jitter": [0.03, 0.04]}, {"id": "3", "jitter": [0.5, 0.6]}], "wallMillis": 1796220094485}}"""
        .formatted(step, step * 4, Double.toString(loss));
  }

  /** 2 filters x 3 channels x 3x3 weights. */
  private static String thumbnails() {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < 2 * 3 * 9; i++) values.append(i == 0 ? "" : ", ").append(i / 100.0);
    return values.toString();
  }

  public static String ack(String id, String changes) {
    return "{\"type\": \"ack\", \"id\": \"" + id + "\", \"payload\": {\"changes\": " + changes + "}}";
  }
}
