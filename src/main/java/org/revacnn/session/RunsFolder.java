package org.revacnn.session;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder every run is kept in ({@code --runs}, default {@code ~/.revacnn/runs}), one folder per
 * run ({@link Run}). A run is named by a plain name ({@link PlainName}), never a path; a run
 * folder that is a link, or not a folder, is never used or removed. Stateless apart from the folder.
 */
public final class RunsFolder {
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  /** Generated names tried per second: NAME, NAME-2, ... */
  private static final int MAX_GENERATED = 100;

  private final Path folder;

  public RunsFolder(Path folder) {
    this.folder = folder.toAbsolutePath().normalize();
  }

  /** {@code ~/.revacnn/runs}. */
  public static Path defaultPath() {
    return Path.of(System.getProperty("user.home"), ".revacnn", "runs");
  }

  public Path folder() {
    return folder;
  }

  /** Whether {@code name} is a plain name and a run folder here (false for a path, however it resolves). */
  public boolean exists(String name) {
    try {
      return Files.isDirectory(folder.resolve(PlainName.check("run", name)), LinkOption.NOFOLLOW_LINKS);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code name} when it can name a run, else IllegalArgumentException saying the rule. */
  public static String checkName(String name) {
    return PlainName.check("run", name);
  }

  /**
   * Creates the run {@code name} (or, when null, one named after the time and {@code config.model()})
   * with its {@code config.json}; the returned run's config has the name it got.
   *
   * @throws IllegalArgumentException for a name that is not plain or is taken
   */
  public Run create(String name, RunConfig config) throws IOException {
    if (name != null) PlainName.check("run", name);
    Files.createDirectories(folder);
    Path dir;
    if (name != null) {
      dir = folder.resolve(name);
      try {
        Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        throw new IllegalArgumentException("a run named '" + name + "' already exists in " + folder
            + "; continue it with --resume " + name + " or choose another name");
      }
    } else {
      dir = createGenerated(config.model());
    }
    Run run = new Run(dir.getFileName().toString(), dir);
    writeConfig(run, withName(config, run.name()));
    return run;
  }

  /** A fresh folder named {@code yyyyMMdd-HHmmss-MODEL}, with -2, -3, ... added when taken. */
  private Path createGenerated(String model) throws IOException {
    String base = LocalDateTime.now().format(NAME_TIME) + "-" + model.replaceAll("[^A-Za-z0-9._-]", "_");
    base = base.substring(0, Math.min(base.length(), PlainName.MAX_LENGTH - 4)).replace("..", "_");
    for (int n = 1; n <= MAX_GENERATED; n++) {
      Path dir = folder.resolve(base + (n == 1 ? "" : "-" + n));
      try {
        return Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        // taken: try the next
      }
    }
    throw new IllegalArgumentException(MAX_GENERATED + " runs named " + base + "* exist; give a name with --run");
  }

  private static RunConfig withName(RunConfig c, String name) {
    return new RunConfig(name, c.created(), c.model(), c.dataset(), c.data(), c.validationImages(), c.seed(), c.augment(),
        c.hyperparameters(), c.startedFrom());
  }

  /** Writes {@code config.json} atomically (a temporary file renamed over it). */
  private static void writeConfig(Run run, RunConfig config) throws IOException {
    Path temp = Checkpoint.createTemporaryFile(run.configFile());
    try {
      JSON.writeValue(temp.toFile(), config);
      Files.move(temp, run.configFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * The existing run {@code name}.
   *
   * @throws IllegalArgumentException for a name that is not plain, a missing run, or a link
   */
  public Run open(String name) {
    Path dir = folder.resolve(PlainName.check("run", name));
    if (Files.isSymbolicLink(dir)) throw new IllegalArgumentException("'" + name + "' in " + folder + " is a link, not a run");
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("no run named '" + name + "' in " + folder + " (revacnn runs --runs " + folder
          + " lists them)");
    }
    return new Run(name, dir);
  }

  /** The run's {@code config.json}. */
  public RunConfig config(Run run) throws IOException {
    try {
      return JSON.readValue(run.configFile().toFile(), RunConfig.class);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new IOException("the run '" + run.name() + "' has no config.json");
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("the run '" + run.name() + "' has an unreadable config.json: " + ErrorText.clip(e.getOriginalMessage()));
    }
  }

  /** One line of {@code revacnn runs}; {@code problem} says what could not be read (null when all could). */
  public record Summary(String name, String dataset, String model, long steps, double bestValidationAccuracy,
      Instant lastChange, String problem) {}

  /** Every run here (folders that are not links), by name; an empty list when the folder does not exist. */
  public List<Summary> list() throws IOException {
    if (!Files.isDirectory(folder)) return List.of();
    List<Summary> runs = new ArrayList<>();
    try (Stream<Path> entries = Files.list(folder)) {
      for (Path dir : entries.sorted(Comparator.comparing(Path::getFileName)).toList()) {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) runs.add(summary(new Run(dir.getFileName().toString(), dir)));
      }
    }
    return runs;
  }

  private Summary summary(Run run) throws IOException {
    Instant lastChange = lastChange(run.folder());
    String dataset = "?";
    String model = "?";
    try {
      RunConfig config = config(run);
      dataset = config.dataset();
      model = config.model();
      RunLogReader.Summary log = RunLogReader.summary(run.historyFile());
      return new Summary(run.name(), dataset, model, log.lastStep(), log.bestValidationAccuracy(), lastChange, null);
    } catch (IOException | IllegalArgumentException e) {
      return new Summary(run.name(), dataset, model, 0, Double.NaN, lastChange,
          e instanceof NoSuchFileException ? "no history.jsonl" : e.getMessage());
    }
  }

  /** The latest modification time of the folder and the files in it. */
  private static Instant lastChange(Path dir) throws IOException {
    Instant latest = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Instant modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
        if (modified.isAfter(latest)) latest = modified;
      }
    }
    return latest;
  }

  /**
   * Deletes the run {@code name} and everything in its folder (links inside are removed, never
   * followed).
   *
   * @throws IllegalArgumentException for a name that is not plain, a missing run, a link, or a
   *     run a live revacnn is writing
   */
  public void remove(String name) throws IOException {
    Run run = open(name);
    try (FileChannel channel = lockable(run.historyFile())) {
      FileLock lock = channel == null ? null : tryLock(channel);
      if (channel != null && lock == null) throw new IllegalArgumentException(RunLog.inUse(run.historyFile()));
      deleteTree(run.folder());
    }
  }

  /** The log opened for locking, or null when the run has none. */
  private static FileChannel lockable(Path log) throws IOException {
    if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) return null;
    return FileChannel.open(log, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
        if (failure != null) throw failure;
        Files.delete(visited);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
