package org.revacnn.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A run's history log ({@code history.jsonl}, docs/FORMATS.md): one JSON object a line, appended
 * as the session's {@link History} records each batch, validation point and steering entry.
 *
 * <p>Durability: lines go to a 64 KiB buffer on the recording (training) thread; a daemon thread
 * hands the buffer to the operating system every {@link #FLUSH_MILLIS} ms, so after a kill -9 the
 * file holds everything recorded up to half a second before it (a power loss may lose more:
 * {@link #sync} forces the file to disk, which the session does before every checkpoint and on
 * close). The file is locked while open, so two processes never append to one run. A write error
 * stops the log (training goes on) and is reported once by {@link #takeFailure}. Thread-safe: every
 * method synchronises on the log.
 */
public final class RunLog implements History.Sink, AutoCloseable {
  /** The longest time a recorded line waits in the buffer before the operating system has it. */
  static final long FLUSH_MILLIS = 500;
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Writer out;
  private final ScheduledExecutorService flusher;
  private final StringBuilder line = new StringBuilder(200);
  private boolean dirty;
  private boolean closed;
  private String failure;
  private boolean failureTaken;

  private RunLog(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8), 1 << 16);
    this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "revacnn-run-log");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens (creating it if missing) and locks {@code file}; appends go after its last byte until
   * {@link #cutTo} says otherwise.
   *
   * @throws IOException when it cannot be opened, or another process (or this one) has it open
   */
  public static RunLog open(Path file) throws IOException {
    FileChannel channel = openOwnerOnly(file);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException(inUse(file));
    }
    channel.position(channel.size());
    return new RunLog(file, channel, lock);
  }

  /** Opens {@code file} for writing, creating it readable by its owner only (as checkpoints are) where permissions are POSIX. */
  private static FileChannel openOwnerOnly(Path file) throws IOException {
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(file, options);
    }
  }

  /** The message for a log some process holds open. */
  static String inUse(Path file) {
    return "the run in " + file.getParent() + " is in use by a running revacnn (its " + file.getFileName() + " is locked)";
  }

  /** Drops every byte from {@code length} on (a half-written last line) and appends from there. */
  public synchronized void cutTo(long length) throws IOException {
    channel.truncate(length);
    channel.position(length);
  }

  @Override
  public synchronized void step(long step, float loss, float accuracy, long examplesSeen, long wallMillis,
      float imagesPerSecond) {
    line.setLength(0);
    line.append("{\"kind\":\"step\",\"step\":").append(step);
    number(line.append(",\"loss\":"), loss);
    number(line.append(",\"accuracy\":"), accuracy);
    line.append(",\"examplesSeen\":").append(examplesSeen).append(",\"wallMillis\":").append(wallMillis);
    number(line.append(",\"imagesPerSecond\":"), imagesPerSecond);
    write(line.append("}\n"));
  }

  @Override
  public synchronized void validation(History.ValidationPoint point) {
    write(tagged("validation", point));
  }

  @Override
  public synchronized void steering(SteeringEntry entry) {
    write(tagged("steering", entry));
  }

  /** A float as JSON: a number, or the strings "NaN", "Infinity", "-Infinity" (as Jackson writes them). */
  private static void number(StringBuilder to, float value) {
    if (Float.isFinite(value)) to.append(value);
    else to.append('"').append(value).append('"');
  }

  /** {@code {"kind": kind, ...the record's fields}} and a newline. */
  private static String tagged(String kind, Object record) {
    ObjectNode node = JSON.createObjectNode().put("kind", kind);
    node.setAll((ObjectNode) JSON.valueToTree(record));
    return node.toString() + "\n";
  }

  private void write(CharSequence text) {
    if (closed || failure != null) return;
    try {
      out.append(text);
      dirty = true;
    } catch (IOException e) {
      fail(e);
    }
  }

  /** Hands the buffered lines to the operating system (what survives a kill -9). */
  public synchronized void flush() {
    if (!dirty || closed || failure != null) return;
    try {
      out.flush();
      dirty = false;
    } catch (IOException e) {
      fail(e);
    }
  }

  /** {@link #flush}, then forces the file to the disk (what survives a power loss). */
  public synchronized void sync() {
    flush();
    if (closed || failure != null) return;
    try {
      channel.force(false);
    } catch (IOException e) {
      fail(e);
    }
  }

  private void fail(IOException e) {
    failure = "cannot write " + file + ": " + ErrorText.reason(e);
  }

  /** Why the log stopped, the first time it is asked after it did; otherwise null. */
  public synchronized String takeFailure() {
    if (failure == null || failureTaken) return null;
    failureTaken = true;
    return failure;
  }

  /** Syncs, unlocks and closes the file; later entries are dropped. */
  @Override
  public void close() {
    flusher.shutdownNow();
    synchronized (this) {
      if (closed) return;
      sync();
      closed = true;
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        if (failure == null) fail(e);
      }
    }
  }
}
