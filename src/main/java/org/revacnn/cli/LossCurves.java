package org.revacnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Loss curves averaged over windows of steps, written as CSV and as a self-contained SVG line chart. */
final class LossCurves {
  private static final String[] COLOURS = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"};

  private LossCurves() {}

  /** Mean of each window of {@code window} steps. */
  static float[] windowed(float[] loss, int window) {
    float[] out = new float[(loss.length + window - 1) / window];
    for (int w = 0; w < out.length; w++) {
      double sum = 0;
      int to = Math.min(loss.length, (w + 1) * window);
      for (int i = w * window; i < to; i++) sum += loss[i];
      out[w] = (float) (sum / (to - w * window));
    }
    return out;
  }

  static void writeCsv(Path file, Map<String, float[]> curves, int window) throws IOException {
    List<String> names = new ArrayList<>(curves.keySet());
    List<float[]> series = names.stream().map(n -> windowed(curves.get(n), window)).toList();
    int rows = series.stream().mapToInt(s -> s.length).max().orElse(0);
    List<String> lines = new ArrayList<>();
    lines.add("step," + String.join(",", names));
    for (int r = 0; r < rows; r++) {
      StringBuilder line = new StringBuilder(String.valueOf((r + 1) * window));
      for (float[] s : series) line.append(',').append(r < s.length ? String.format(Locale.ROOT, "%.5f", s[r]) : "");
      lines.add(line.toString());
    }
    Files.write(file, lines);
  }

  static void writeSvg(Path file, Map<String, float[]> curves, int window, int markerStep, String title) throws IOException {
    int width = 900;
    int height = 500;
    int left = 60;
    int right = 220;
    int top = 40;
    int bottom = 50;
    List<float[]> series = curves.values().stream().map(c -> windowed(c, window)).toList();
    int points = series.stream().mapToInt(s -> s.length).max().orElse(1);
    double max = 0;
    double min = Double.MAX_VALUE;
    for (float[] s : series) {
      for (float v : s) {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
    }
    double lo = Math.floor(min * 10) / 10;
    double hi = Math.ceil(max * 10) / 10;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n", width, height));
    svg.append("<rect width='100%' height='100%' fill='white'/>\n");
    svg.append(String.format(Locale.ROOT, "<text x='%d' y='24' font-size='14'>%s</text>%n", left, escape(title)));
    for (int t = 0; t <= 5; t++) {
      double v = lo + (hi - lo) * t / 5;
      double y = top + plotH - plotH * t / 5;
      svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#ddd'/>"
          + "<text x='%d' y='%.1f' text-anchor='end'>%.2f</text>%n", left, left + plotW, y, y, left - 6, y + 4, v));
    }
    double xScale = plotW / Math.max(1, points - 1);
    double markerX = left + (markerStep / (double) window - 1) * xScale;
    svg.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%.1f' stroke='#888' stroke-dasharray='4 3'/>"
        + "<text x='%.1f' y='%d' fill='#555'>growth</text>%n", markerX, markerX, top, top + plotH, markerX + 4, top + 12));
    for (int t = 0; t <= 5; t++) {
      double x = left + plotW * t / 5;
      long step = Math.round((1 + (points - 1) * t / 5.0) * window);
      svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' text-anchor='middle'>%d</text>%n", x, top + plotH + 16, step));
    }
    svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>step (batches)</text>%n",
        left + plotW / 2, height - 12));
    int i = 0;
    for (Map.Entry<String, float[]> e : curves.entrySet()) {
      float[] s = series.get(i);
      StringBuilder path = new StringBuilder();
      for (int p = 0; p < s.length; p++) {
        double x = left + p * xScale;
        double y = top + plotH - plotH * (s[p] - lo) / Math.max(1e-9, hi - lo);
        path.append(p == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
      }
      String colour = COLOURS[i % COLOURS.length];
      svg.append(String.format(Locale.ROOT, "<path d='%s' fill='none' stroke='%s' stroke-width='2'/>%n", path, colour));
      svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='14' height='3' fill='%s'/><text x='%.1f' y='%d'>%s</text>%n",
          left + plotW + 16, top + 18 * i + 6, colour, left + plotW + 36, top + 18 * i + 11, escape(e.getKey())));
      i++;
    }
    svg.append("</svg>\n");
    Files.writeString(file, svg);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
  }
}
