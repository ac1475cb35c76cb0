package org.revacnn.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * The sha256 (hex) of a network's weights, for {@code GET /api/engine}: per layer in order, its
 * id, then per parameter its name, its shape (units x unit size) and its values as little-endian
 * float32. Equal networks give equal checksums; any changed bit changes it.
 */
final class WeightChecksum {
  private WeightChecksum() {}

  static String of(Network network) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no SHA-256", e);
    }
    for (Layer layer : network.layers()) {
      digest.update(layer.id().getBytes(StandardCharsets.UTF_8));
      for (Param p : layer.params()) {
        digest.update((p.name() + ":" + p.units() + "x" + p.unitSize()).getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(p.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(p.value());
        digest.update(bytes);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
