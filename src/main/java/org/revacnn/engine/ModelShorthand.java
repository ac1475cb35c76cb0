package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the model shorthand, blocks joined by '-':
 * <pre>
 *   spec  := block ('-' block)*
 *   block := 'conv' F ['k' K] ['s' S] ['p' P] ['nopool']  conv FxKxK (default K=5, S=1, P=K/2), ReLU, then
 *                                                        2x2 max-pool stride 2 unless 'nopool'
 *          | 'fc' U                                      fully connected U units, ReLU
 *          | 'pool' S                                    max-pool SxS, stride S
 *          | 'drop' PCT                                  dropout, PCT percent (0..99)
 * </pre>
 * The paper's model is {@code conv16-conv20-conv20}. The classifier is appended by the network.
 */
public final class ModelShorthand {
  private static final Pattern CONV = Pattern.compile("conv(\\d+)(?:k(\\d+))?(?:s(\\d+))?(?:p(\\d+))?(nopool)?");
  private static final Pattern FC = Pattern.compile("fc(\\d+)");
  private static final Pattern POOL = Pattern.compile("pool(\\d+)");
  private static final Pattern DROP = Pattern.compile("drop(\\d+)");
  private static final int MAX_WIDTH = 4096;

  private ModelShorthand() {}

  public static List<LayerSpec> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("model spec is empty; expected blocks such as conv16-conv20-conv20");
    }
    List<LayerSpec> layers = new ArrayList<>();
    String[] blocks = spec.trim().split("-", -1);
    int position = 0;
    for (int b = 0; b < blocks.length; b++) {
      String block = blocks[b];
      parseBlock(spec, b, position, block, layers);
      position += block.length() + 1;
    }
    return layers;
  }

  private static void parseBlock(String spec, int index, int position, String block, List<LayerSpec> out) {
    Matcher m;
    if ((m = CONV.matcher(block)).matches()) {
      int filters = number(spec, index, position, block, m.group(1), "filters", 1, MAX_WIDTH);
      int kernel = m.group(2) == null ? 5 : number(spec, index, position, block, m.group(2), "kernel size", 1, 64);
      int stride = m.group(3) == null ? 1 : number(spec, index, position, block, m.group(3), "stride", 1, 64);
      int pad = m.group(4) == null ? kernel / 2 : number(spec, index, position, block, m.group(4), "padding", 0, 64);
      out.add(new LayerSpec.ConvSpec(filters, kernel, stride, pad));
      out.add(new LayerSpec.ReluSpec());
      if (m.group(5) == null) out.add(new LayerSpec.PoolSpec(2, 2));
    } else if ((m = FC.matcher(block)).matches()) {
      out.add(new LayerSpec.DenseSpec(number(spec, index, position, block, m.group(1), "units", 1, MAX_WIDTH)));
      out.add(new LayerSpec.ReluSpec());
    } else if ((m = POOL.matcher(block)).matches()) {
      int size = number(spec, index, position, block, m.group(1), "pool size", 1, 64);
      out.add(new LayerSpec.PoolSpec(size, size));
    } else if ((m = DROP.matcher(block)).matches()) {
      int percent = number(spec, index, position, block, m.group(1), "dropout percent", 0, 99);
      out.add(new LayerSpec.DropoutSpec(percent / 100f));
    } else {
      throw error(spec, index, position, block,
          "unknown block; expected convF[kK][sS][pP][nopool], fcU, poolS or dropPCT (e.g. conv16-conv20-conv20)");
    }
  }

  private static int number(String spec, int index, int position, String block, String digits, String what, int min, int max) {
    long value;
    try {
      value = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      value = Long.MAX_VALUE;
    }
    if (value < min || value > max) {
      throw error(spec, index, position, block, what + " must be in " + min + ".." + max + ", got " + digits);
    }
    return (int) value;
  }

  private static IllegalArgumentException error(String spec, int index, int position, String block, String why) {
    return new IllegalArgumentException(
        "model spec '" + spec + "': block " + (index + 1) + " '" + block + "' at character " + (position + 1) + ": " + why);
  }
}
