package org.revacnn.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Param;
import org.revacnn.engine.Shape;

/**
 * Exports a network's weights for use elsewhere: one JSON document, or one NumPy {@code .npy}
 * file per parameter (float32, little-endian, C order). Shapes follow PyTorch's conventions:
 * conv weights {@code [filters, inChannels, k, k]}, dense weights {@code [units, inputs]}, biases
 * {@code [units]}; with the preprocessing that turns stored pixels into the network's input. See
 * docs/FORMATS.md.
 */
public final class WeightExport {
  private WeightExport() {}

  /** Each parameter's name and shape, in network order. */
  public static Map<String, int[]> shapes(NetworkState state) {
    Map<String, Integer> kernels = new LinkedHashMap<>();
    Map<String, String> kinds = new LinkedHashMap<>();
    collectLayers(state.architecture().layers(), kernels, kinds);
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (Param p : state.params()) {
      String layer = p.name().substring(0, p.name().indexOf('/'));
      Integer k = kernels.get(layer);
      // biases and every batch norm array (gamma, beta, running mean and variance) hold one value per unit
      boolean bias = p.unitSize() == 1 && (p.name().endsWith("/bias") || "batchnorm".equals(kinds.get(layer)));
      shapes.put(p.name(), bias ? new int[] {p.units()}
          : k == null ? new int[] {p.units(), p.unitSize()}
          : new int[] {p.units(), p.unitSize() / (k * k), k, k});
    }
    return shapes;
  }

  /** Each conv's kernel size and each layer's kind by id, residual blocks' inner layers included. */
  private static void collectLayers(java.util.List<Architecture.LayerInfo> layers, Map<String, Integer> kernels,
      Map<String, String> kinds) {
    for (Architecture.LayerInfo layer : layers) {
      kinds.put(layer.id(), layer.kind());
      if (layer.kind().equals("conv")) kernels.put(layer.id(), layer.kernelSize());
      collectLayers(layer.main(), kernels, kinds);
      collectLayers(layer.shortcut(), kernels, kinds);
    }
  }

  /** {"architecture": ..., "params": {name: {"shape": [...], "data": [...]}}} */
  public static byte[] json(NetworkState state) throws IOException {
    ObjectNode root = Commands.STRICT.createObjectNode();
    root.set("architecture", Commands.STRICT.valueToTree(state.architecture()));
    ObjectNode params = root.putObject("params");
    Map<String, int[]> shapes = shapes(state);
    for (Param p : state.params()) {
      ObjectNode node = params.putObject(p.name());
      ArrayNode shape = node.putArray("shape");
      for (int d : shapes.get(p.name())) shape.add(d);
      ArrayNode data = node.putArray("data");
      for (float v : p.value()) data.add(v);
    }
    return Commands.STRICT.writeValueAsBytes(root);
  }

  /** The .npy (format 1.0) bytes of one float32 array of this shape. */
  public static byte[] npy(float[] values, int[] shape) {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) dims.append(d).append(", ");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().strip().replaceAll(",$", shape.length == 1 ? "," : "") + "), }";
    // magic, version 1.0, header length; the header is padded with spaces to a multiple of 64 and ends in '\n'
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - unpadded) + "\n";
    ByteBuffer out = ByteBuffer.allocate(padded + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    out.putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.US_ASCII));
    out.asFloatBuffer().put(values);
    return out.array();
  }

  /**
   * How to turn an image's stored bytes into the network's input, as {@code preprocessing.json}:
   * per channel {@code c}, {@code (pixel/255 - mean[c]) / std[c]} with the training split's mean
   * and standard deviation on the 0..1 scale, laid out NCHW in the input shape.
   */
  public static byte[] preprocessing(NetworkState state, Normalization normalization) throws IOException {
    ObjectNode root = Commands.STRICT.createObjectNode();
    root.put("scale", "pixel/255");
    ArrayNode mean = root.putArray("mean");
    ArrayNode std = root.putArray("std");
    for (int c = 0; c < normalization.channels(); c++) {
      mean.add(normalization.mean(c));
      std.add(normalization.standardDeviation(c));
    }
    root.put("formula", "(pixel/255 - mean[c]) / std[c]");
    root.put("layout", "NCHW");
    Shape input = state.architecture().input();
    root.putArray("inputShape").add(input.channels()).add(input.height()).add(input.width());
    root.put("channels", input.channels() == 3 ? "RGB" : input.channels() == 1 ? "grey" : input.channels() + " channels");
    root.put("output", "logits, one per class; softmax gives the class probabilities");
    return Commands.STRICT.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  /**
   * Writes {@code weights.json}, {@code architecture.json}, {@code preprocessing.json} and one
   * {@code <layer>.<param>.npy} per parameter into {@code directory}; returns the files written.
   */
  public static java.util.List<Path> write(NetworkState state, Normalization normalization, Path directory) throws IOException {
    Files.createDirectories(directory);
    java.util.List<Path> written = new java.util.ArrayList<>();
    Path preprocessing = directory.resolve("preprocessing.json");
    Files.write(preprocessing, preprocessing(state, normalization));
    written.add(preprocessing);
    Path json = directory.resolve("weights.json");
    Files.write(json, json(state));
    written.add(json);
    Path arch = directory.resolve("architecture.json");
    Files.write(arch, Commands.STRICT.writerWithDefaultPrettyPrinter().writeValueAsBytes(state.architecture()));
    written.add(arch);
    Map<String, int[]> shapes = shapes(state);
    for (Param p : state.params()) {
      Path file = directory.resolve(p.name().replace('/', '.') + ".npy");
      Files.write(file, npy(p.value(), shapes.get(p.name())));
      written.add(file);
    }
    return written;
  }
}
