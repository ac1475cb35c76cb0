package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the model shorthand, blocks joined by '-', or a preset:
 * <pre>
 *   spec  := block ('-' block)* | 'resnet' D
 *   block := 'conv' F ['k' K] ['s' S] ['p' P] ['bn'] ['nopool']
 *                                conv FxKxK (default K=5, S=1, P=K/2); with 'bn' without bias and followed by
 *                                batch norm; ReLU, then 2x2 max-pool stride 2 unless 'nopool'
 *          | 'res' F ['s' S]     residual basic block: conv3x3 F stride S (default 1) - bn - relu - conv3x3 F - bn,
 *                                plus the identity, or a 1x1 conv stride S + bn where the shape changes; ReLU
 *          | 'fc' U              fully connected U units, ReLU
 *          | 'pool' S            max-pool SxS, stride S
 *          | 'gap'               global average pooling (C x H x W to C x 1 x 1)
 *          | 'bn'                batch norm
 *          | 'drop' PCT          dropout, PCT percent (0..99)
 * </pre>
 * {@code resnetD} (D = 6n + 2: resnet20, resnet32, resnet44, resnet56, resnet110) is He et al.'s
 * CIFAR ResNet: conv16k3bnnopool, then n res16, res32s2 and n - 1 res32, res64s2 and n - 1 res64,
 * then gap (1x1 projection shortcuts where the width changes). The paper's model, the default, is
 * {@code conv16-conv20-conv20}. The classifier is appended by the network.
 */
public final class ModelShorthand {
  private static final Pattern CONV = Pattern.compile("conv(\\d+)(?:k(\\d+))?(?:s(\\d+))?(?:p(\\d+))?(bn)?(nopool)?");
  private static final Pattern RESIDUAL = Pattern.compile("res(\\d+)(?:s(\\d+))?");
  private static final Pattern RESNET = Pattern.compile("resnet(\\d+)");
  /** The deepest preset: ResNet-110, 18 blocks per stage. */
  private static final int MAX_BLOCKS_PER_STAGE = 18;
  private static final Pattern FC = Pattern.compile("fc(\\d+)");
  private static final Pattern POOL = Pattern.compile("pool(\\d+)");
  private static final Pattern DROP = Pattern.compile("drop(\\d+)");
  private static final int MAX_WIDTH = 4096;

  private ModelShorthand() {}

  public static List<LayerSpec> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("model spec is empty; expected blocks such as conv16-conv20-conv20");
    }
    Matcher preset = RESNET.matcher(spec.trim());
    if (preset.matches()) return parse(resnet(spec, preset.group(1)));
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
      boolean batchNorm = m.group(5) != null;
      out.add(new LayerSpec.ConvSpec(filters, kernel, stride, pad, !batchNorm));
      if (batchNorm) out.add(new LayerSpec.BatchNormSpec());
      out.add(new LayerSpec.ReluSpec());
      if (m.group(6) == null) out.add(new LayerSpec.PoolSpec(2, 2));
    } else if ((m = RESIDUAL.matcher(block)).matches()) {
      int filters = number(spec, index, position, block, m.group(1), "filters", 1, MAX_WIDTH);
      int stride = m.group(2) == null ? 1 : number(spec, index, position, block, m.group(2), "stride", 1, 64);
      out.add(LayerSpec.ResidualSpec.basic(filters, stride));
      out.add(new LayerSpec.ReluSpec());
    } else if (block.equals("gap")) {
      out.add(new LayerSpec.GlobalPoolSpec());
    } else if (block.equals("bn")) {
      out.add(new LayerSpec.BatchNormSpec());
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
          "unknown block; expected convF[kK][sS][pP][bn][nopool], resF[sS], fcU, poolS, gap, bn or dropPCT "
              + "(e.g. conv16-conv20-conv20), or a whole-model preset such as resnet20");
    }
  }

  /** The shorthand of He et al.'s CIFAR ResNet of this depth (6n + 2 layers with weights). */
  private static String resnet(String spec, String digits) {
    int depth = number(spec, 0, 0, spec.trim(), digits, "ResNet depth", 8, 6 * MAX_BLOCKS_PER_STAGE + 2);
    if ((depth - 2) % 6 != 0) {
      throw error(spec, 0, 0, spec.trim(), "a CIFAR ResNet has 6n + 2 layers (resnet20, resnet32, resnet44, resnet56, "
          + "resnet110), got " + depth);
    }
    int blocks = (depth - 2) / 6;
    StringBuilder s = new StringBuilder("conv16k3bnnopool");
    for (int stage = 0; stage < 3; stage++) {
      int width = 16 << stage;
      for (int b = 0; b < blocks; b++) s.append("-res").append(width).append(b == 0 && stage > 0 ? "s2" : "");
    }
    return s.append("-gap").toString();
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
