package org.revacnn.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal and printed as a plain line
 * every 10% otherwise (logs, CI).
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private long lastDrawNanos;
  private int lastDecile = -1;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  static Progress onStderr() {
    return new Progress(System.err, System.console() != null);
  }

  /** Redraws at most 4 times a second; {@code fraction} is the run's progress in [0, 1]. */
  void update(double fraction, String text) {
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDrawNanos < 250_000_000L) return;
      lastDrawNanos = now;
      int width = 24;
      int filled = (int) Math.round(Math.min(1, fraction) * width);
      out.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + text + "\u001b[K");
      out.flush();
    } else {
      int decile = (int) Math.floor(fraction * 10);
      if (decile == lastDecile) return;
      lastDecile = decile;
      out.println(text);
    }
  }

  /** Prints a full line, clearing the bar first. */
  void line(String text) {
    if (terminal) out.print("\r\u001b[K");
    out.println(text);
    lastDrawNanos = 0;
  }

  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
  }
}
