package org.revacnn.engine;

import java.util.List;

/**
 * 2D convolution with square kernels, any stride and zero padding, computed as im2col + GEMM.
 * Weights are filter-major, {@code [filter][inChannel][ky][kx]}; biases {@code [filter]}, unless the
 * conv has none (one followed by batch norm, whose beta makes a bias redundant, as in PyTorch's ResNets).
 * Forward per chunk of images that fits the cache: col[CinKK][c*HWo] = im2col(x); Y[F][c*HWo] = W * col + b.
 */
public final class Conv implements Layer {
  private final String id;
  private final int kernelSize;
  private final int stride;
  private final int pad;
  private final Param weights;
  /** Null when the conv has no bias. */
  private final Param bias;
  private final UnitIds filterIds;
  private boolean frozen;

  public Conv(String id, int inChannels, int filters, int kernelSize, int stride, int pad) {
    this(id, inChannels, filters, kernelSize, stride, pad, true);
  }

  public Conv(String id, int inChannels, int filters, int kernelSize, int stride, int pad, boolean withBias) {
    if (filters <= 0) throw new IllegalArgumentException(id + ": filters must be positive, got " + filters);
    if (kernelSize <= 0) throw new IllegalArgumentException(id + ": kernel size must be positive, got " + kernelSize);
    if (stride <= 0) throw new IllegalArgumentException(id + ": stride must be positive, got " + stride);
    if (pad < 0) throw new IllegalArgumentException(id + ": padding must be >= 0, got " + pad);
    this.id = id;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.pad = pad;
    this.weights = new Param(id + "/weights", filters, inChannels * kernelSize * kernelSize, 1f);
    this.bias = withBias ? new Param(id + "/bias", filters, 1, 0f) : null;
    this.filterIds = new UnitIds(id, filters);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "conv";
  }

  public int filters() {
    return weights.units();
  }

  public int inChannels() {
    return weights.unitSize() / (kernelSize * kernelSize);
  }

  public int kernelSize() {
    return kernelSize;
  }

  public int stride() {
    return stride;
  }

  public int pad() {
    return pad;
  }

  public Param weights() {
    return weights;
  }

  /** The bias, or an IllegalStateException when the conv has none (see {@link #hasBias()}). */
  public Param bias() {
    if (bias == null) throw new IllegalStateException(id + " has no bias");
    return bias;
  }

  public boolean hasBias() {
    return bias != null;
  }

  public UnitIds filterIds() {
    return filterIds;
  }

  public boolean frozen() {
    return frozen;
  }

  public void setFrozen(boolean frozen) {
    this.frozen = frozen;
  }

  @Override
  public Shape outputShape(Shape in) {
    if (in.channels() != inChannels()) {
      throw new IllegalArgumentException(id + " expects " + inChannels() + " input channels but gets " + in.channels());
    }
    int outH = (in.height() + 2 * pad - kernelSize) / stride + 1;
    int outW = (in.width() + 2 * pad - kernelSize) / stride + 1;
    if (in.height() + 2 * pad < kernelSize || in.width() + 2 * pad < kernelSize) {
      throw new IllegalArgumentException(id + ": kernel " + kernelSize + "x" + kernelSize
          + " is larger than its padded input " + (in.height() + 2 * pad) + "x" + (in.width() + 2 * pad));
    }
    return new Shape(filters(), outH, outW);
  }

  @Override
  public List<Param> params() {
    return bias == null ? List.of(weights) : List.of(weights, bias);
  }

  @Override
  public Frame newFrame() {
    return new ConvFrame(params());
  }

  /** Floats of column matrix per chunk of images: 512 KB, so it stays in the L2 cache. */
  private static final int COLUMN_BUDGET = 128 * 1024;

  private static final class ConvFrame extends Frame {
    Tensor input;
    Tensor output;
    Tensor gradInput;

    ConvFrame(List<Param> params) {
      super(params);
    }
  }

  /**
   * Per-thread working buffers, grown on demand and shared by every convolution the thread runs:
   * the column matrix and the chunk product live only within one forward or backward call, so one
   * set per thread is enough, however many shards the batch has.
   */
  private static final class Scratch {
    final GrowingBuffer col = new GrowingBuffer();
    final GrowingBuffer product = new GrowingBuffer();
    final GrowingBuffer padded = new GrowingBuffer();
    final GrowingBuffer packedKernel = new GrowingBuffer();
    final GrowingBuffer gradColumns = new GrowingBuffer();
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * The kernel of the transposed convolution, {@code W'[c][f][ky][kx] = W[f][c][K-1-ky][K-1-kx]},
   * written straight into the GEMM's packed form of W' ([Cin] x [F*K*K]): for stride 1 and "same"
   * padding, dX[c][y][x] = sum_{f,ky,kx} W[f][c][ky][kx] dY[f][y+pad-ky][x+pad-kx] is the same-padded
   * convolution of dY with W' (substitute ky -> K-1-ky).
   */
  private float[] flipKernel(float[] packed) {
    float[] w = weights.value();
    int k = kernelSize;
    int cin = inChannels();
    int filters = filters();
    int columns = filters * k * k;
    java.util.Arrays.fill(packed, 0, Gemm.packedASize(cin, columns), 0f);
    for (int c = 0; c < cin; c++) {
      for (int f = 0; f < filters; f++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            packed[Gemm.packedAIndex(c, (f * k + ky) * k + kx, columns)] = w[((f * cin + c) * k + (k - 1 - ky)) * k + (k - 1 - kx)];
          }
        }
      }
    }
    return packed;
  }

  /** Images per GEMM: as many as fit the column budget (at least one), so small planes still give wide products. */
  private static int chunkSize(int rows, int planeOut, int batch) {
    return Math.max(1, Math.min(batch, COLUMN_BUDGET / (rows * planeOut)));
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    ConvFrame frame = (ConvFrame) f;
    Shape inShape = in.shape();
    Shape outShape = outputShape(inShape);
    int planeOut = outShape.plane();
    int rows = weights.unitSize();
    int filters = filters();
    int chunk = chunkSize(rows, planeOut, in.batch());
    frame.input = in;
    boolean packed = Im2col.packable(inShape, kernelSize, stride, pad, outShape.height(), outShape.width());
    Scratch scratch = SCRATCH.get();
    float[] col = scratch.col.atLeast(packed ? Gemm.packedSize(rows, chunk * planeOut) : rows * chunk * planeOut);
    float[] product = chunk > 1 ? scratch.product.atLeast(filters * chunk * planeOut) : null;
    // the weights in the GEMM's packed form, once for all images
    float[] packedWeights = packed
        ? Gemm.packA(filters, rows, weights.value(), 0, rows, scratch.packedKernel.atLeast(Gemm.packedASize(filters, rows)))
        : null;
    frame.output = Tensor.reuse(frame.output, in.batch(), outShape);
    float[] out = frame.output.data();
    float[] b = bias == null ? null : bias.value();
    for (int first = 0; first < in.batch(); first += chunk) {
      int images = Math.min(chunk, in.batch() - first);
      int columns = images * planeOut;
      // Y[F][images*HWo] = W[F][CinKK] * col[CinKK][images*HWo]; one image writes straight into the output
      float[] target = images == 1 ? out : product;
      int targetBase = images == 1 ? first * outShape.size() : 0;
      if (packed) {
        // the column matrix goes straight into the GEMM's packed panels
        float[] padded = scratch.padded.atLeast(Im2col.paddedSize(inShape, pad));
        for (int j = 0; j < images; j++) {
          Im2col.expandPacked(in.data(), (first + j) * inShape.size(), inShape, kernelSize, pad, padded, col, j * planeOut,
              rows);
        }
        Gemm.nnPacked(filters, columns, rows, packedWeights, col, target, targetBase, columns, false);
      } else {
        for (int j = 0; j < images; j++) {
          Im2col.expand(in.data(), (first + j) * inShape.size(), inShape, kernelSize, stride, pad, outShape.height(),
              outShape.width(), col, j * planeOut, columns);
        }
        Gemm.nn(filters, columns, rows, weights.value(), 0, rows, col, 0, columns, target, targetBase, columns, false);
      }
      // out[i][f][p] = Y[f][j*HWo + p] + b[f]
      for (int j = 0; j < images; j++) {
        for (int fi = 0; fi < filters; fi++) {
          int src = targetBase + fi * columns + j * planeOut;
          int dst = (first + j) * outShape.size() + fi * planeOut;
          VectorOps.addConstant(target, src, b == null ? 0f : b[fi], out, dst, planeOut);
        }
      }
    }
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    ConvFrame frame = (ConvFrame) f;
    Shape inShape = frame.input.shape();
    Shape outShape = gradOut.shape();
    int filters = filters();
    int planeOut = outShape.plane();
    int rows = weights.unitSize();
    int chunk = chunkSize(rows, planeOut, gradOut.batch());
    // the input gradient of a "same" convolution is itself one: of dY with the flipped kernel (see flipKernel)
    boolean transposedConv = needInputGrad && Im2col.packable(outShape, kernelSize, stride, pad, inShape.height(), inShape.width());
    int flippedRows = filters * kernelSize * kernelSize;
    Scratch scratch = SCRATCH.get();
    float[] col = scratch.col.atLeast(Math.max(rows * chunk * planeOut,
        transposedConv ? Gemm.packedSize(flippedRows, chunk * planeOut) : 0));
    float[] product = chunk > 1 ? scratch.product.atLeast(filters * chunk * planeOut) : null;
    float[] g = gradOut.data();
    float[] flipped = null; // W', packed
    if (needInputGrad) {
      frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), inShape);
      if (transposedConv) {
        flipped = flipKernel(scratch.packedKernel.atLeast(Gemm.packedASize(inChannels(), flippedRows)));
      } else {
        java.util.Arrays.fill(frame.gradInput.data(), 0f);
      }
    }
    for (int first = 0; first < gradOut.batch(); first += chunk) {
      int images = Math.min(chunk, gradOut.batch() - first);
      int columns = images * planeOut;
      // dY[F][images*HWo]: the gradient itself for one image, else gathered from gradOut[i][f][p]
      float[] dy = g;
      int dyBase = first * outShape.size();
      if (images > 1) {
        dy = product;
        dyBase = 0;
        for (int j = 0; j < images; j++) {
          for (int fi = 0; fi < filters; fi++) {
            System.arraycopy(g, (first + j) * outShape.size() + fi * planeOut, dy, fi * columns + j * planeOut, planeOut);
          }
        }
      }
      if (!frozen) {
        if (bias != null) {
          float[] gradB = frame.grads()[1];
          // dL/db[f] += sum over positions of dY[f][:]
          for (int fi = 0; fi < filters; fi++) gradB[fi] += VectorOps.sum(dy, dyBase + fi * columns, columns);
        }
        // dL/dW[F][CinKK] += dY[F][cols] * col^T (the columns are unfolded again rather than kept)
        for (int j = 0; j < images; j++) {
          Im2col.expand(frame.input.data(), (first + j) * inShape.size(), inShape, kernelSize, stride, pad,
              outShape.height(), outShape.width(), col, j * planeOut, columns);
        }
        Gemm.nt(filters, rows, columns, dy, dyBase, columns, col, 0, columns, frame.grads()[0], 0, rows, true);
      }
      if (transposedConv) {
        // dX[Cin][cols] = W'[Cin][F*K*K] * im2col(dY), written over the input gradient
        int cin = inChannels();
        float[] padded = scratch.padded.atLeast(Im2col.paddedSize(outShape, pad));
        for (int j = 0; j < images; j++) {
          Im2col.expandPacked(g, (first + j) * outShape.size(), outShape, kernelSize, pad, padded, col, j * planeOut,
              flippedRows);
        }
        float[] dx = frame.gradInput.data();
        if (images == 1) {
          Gemm.nnPacked(cin, columns, flippedRows, flipped, col, dx, first * inShape.size(), columns, false);
        } else {
          float[] dxColumns = scratch.gradColumns.atLeast(cin * columns);
          Gemm.nnPacked(cin, columns, flippedRows, flipped, col, dxColumns, 0, columns, false);
          for (int j = 0; j < images; j++) {
            for (int c = 0; c < cin; c++) {
              System.arraycopy(dxColumns, c * columns + j * planeOut, dx, (first + j) * inShape.size() + c * planeOut, planeOut);
            }
          }
        }
      } else if (needInputGrad) {
        // dcol[CinKK][cols] = W^T * dY, then scatter-add back to the input positions (col2im)
        Gemm.tn(rows, columns, filters, weights.value(), 0, rows, dy, dyBase, columns, col, 0, columns, false);
        for (int j = 0; j < images; j++) {
          Im2col.collapse(col, j * planeOut, columns, kernelSize, stride, pad, outShape.height(), outShape.width(),
              frame.gradInput.data(), (first + j) * inShape.size(), inShape);
        }
      }
    }
    return needInputGrad ? frame.gradInput : null;
  }
}
