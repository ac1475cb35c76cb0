package org.revacnn.session;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one folder that checkpoints saved on a client's request go to ({@code serve
 * --checkpoint-dir}). A client names a file, never a path ({@link PlainName}); ".ckpt" is added
 * when missing. An existing file is replaced only when the client asks, and a link or anything
 * else that is not a regular file never is. The folder is created on first use, readable by its
 * owner only where the file system has POSIX permissions. Stateless apart from the folder.
 */
public final class CheckpointFolder {
  static final String EXTENSION = ".ckpt";
  /** Default names tried per step: step12.ckpt, step12-2.ckpt, ... */
  private static final int MAX_DEFAULT_NAMES = 1000;

  private final Path folder;

  public CheckpointFolder(Path folder) {
    this.folder = folder.toAbsolutePath().normalize();
  }

  /**
   * The file a save of {@code name} writes, inside the folder (created if missing). Without a
   * name, the first free one of {@code step<step>.ckpt}, {@code step<step>-2.ckpt}, ...
   *
   * @throws IllegalArgumentException for a name that is not a plain file name, or names a link,
   *     a non-file or (without {@code overwrite}) an existing file
   * @throws IOException when the folder cannot be created or read
   */
  public Path target(String name, boolean overwrite, long step) throws IOException {
    String file = name == null ? null : fileName(name);
    Path dir = create().toRealPath();
    if (file == null) return freshName(dir, step);
    Path target = dir.resolve(file);
    if (Files.isSymbolicLink(target)) {
      throw new IllegalArgumentException("'" + file + "' in the checkpoint folder is a link; "
          + "links are never written through or replaced");
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException("'" + file + "' in the checkpoint folder is not a file; choose another name");
      }
      if (!overwrite) {
        throw new IllegalArgumentException("a checkpoint named '" + file + "' already exists; send \"overwrite\": true to replace it");
      }
    }
    return target;
  }

  /** {@code name} with ".ckpt" added when missing, or IllegalArgumentException when it is not a plain file name. */
  static String fileName(String name) {
    PlainName.check("checkpoint", name);
    return name.endsWith(EXTENSION) ? name : name + EXTENSION;
  }

  private Path create() throws IOException {
    if (Files.isDirectory(folder)) return folder;
    try {
      return Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      return Files.createDirectories(folder);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("the checkpoint folder exists but is not a folder");
    }
  }

  private static Path freshName(Path dir, long step) {
    for (int n = 1; n <= MAX_DEFAULT_NAMES; n++) {
      Path target = dir.resolve("step" + step + (n == 1 ? "" : "-" + n) + EXTENSION);
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return target;
    }
    throw new IllegalArgumentException("the checkpoint folder already holds " + MAX_DEFAULT_NAMES + " checkpoints of step " + step
        + "; give a name");
  }
}
