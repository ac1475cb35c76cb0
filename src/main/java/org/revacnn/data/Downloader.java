package org.revacnn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Fetches CIFAR-10 (binary version) and MNIST from their official addresses into a directory
 * (by default {@code ~/.revacnn/data/<name>}) and checks every file against the sha256 pinned
 * below. Files already present and correct are not fetched again; a file that fails its check is
 * deleted and reported. Used only when the user asks for {@code --download}.
 *
 * <p>Not thread-safe: one call at a time per directory.
 */
public final class Downloader {
  /** Moves the bytes at {@code source} to {@code destination}; replaceable so tests never touch the network. */
  @FunctionalInterface
  public interface Fetcher {
    void fetch(URI source, Path destination) throws IOException;
  }

  public static final URI CIFAR10_ARCHIVE = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
  /** sha256 of each file of {@code cifar-10-batches-bin/} in the official archive. */
  public static final Map<String, String> CIFAR10_SHA256 = Map.of(
      "data_batch_1.bin", "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
      "data_batch_2.bin", "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
      "data_batch_3.bin", "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
      "data_batch_4.bin", "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
      "data_batch_5.bin", "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
      "test_batch.bin", "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b");
  /** The official MNIST address first, then the PyTorch mirror (the official one often refuses downloads). */
  public static final List<URI> MNIST_BASES = List.of(
      URI.create("https://yann.lecun.com/exdb/mnist/"), URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"));
  /** sha256 of each MNIST file after decompression (the .gz wrappers vary between mirrors). */
  public static final Map<String, String> MNIST_SHA256 = Map.of(
      "train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      "train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      "t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      "t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

  private final Fetcher fetcher;

  public Downloader(Fetcher fetcher) {
    this.fetcher = fetcher;
  }

  /** A downloader that fetches over HTTPS. */
  public static Downloader overHttp() {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    return new Downloader((source, destination) -> {
      try {
        HttpResponse<Path> response = client.send(HttpRequest.newBuilder(source).GET().build(),
            HttpResponse.BodyHandlers.ofFile(destination));
        if (response.statusCode() != 200) {
          throw new IOException("HTTP " + response.statusCode() + " from " + source);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + source, e);
      }
    });
  }

  /** {@code ~/.revacnn/data/<name>}. */
  public static Path defaultDirectory(String name) {
    return Path.of(System.getProperty("user.home"), ".revacnn", "data", name);
  }

  /** Makes sure {@code directory} holds the verified CIFAR-10 binary files, fetching the archive if any is missing or wrong. */
  public void ensureCifar10(Path directory) throws DataException {
    if (allVerified(directory, CIFAR10_SHA256)) {
      return;
    }
    createDirectories(directory);
    Path archive = directory.resolve("cifar-10-binary.tar.gz.part");
    try {
      fetch(List.of(CIFAR10_ARCHIVE), archive);
      extractTarGz(archive, directory, CIFAR10_SHA256.keySet());
    } finally {
      deleteQuietly(archive);
    }
    for (Map.Entry<String, String> file : CIFAR10_SHA256.entrySet()) {
      verifyOrDelete(directory.resolve(file.getKey()), file.getValue(), false);
    }
  }

  /** Makes sure {@code directory} holds the four verified MNIST {@code .gz} files, fetching those missing or wrong. */
  public void ensureMnist(Path directory) throws DataException {
    createDirectories(directory);
    for (Map.Entry<String, String> file : MNIST_SHA256.entrySet()) {
      Path target = directory.resolve(file.getKey());
      if (matches(target, file.getValue(), true)) {
        continue;
      }
      Path partial = directory.resolve(file.getKey() + ".part");
      try {
        fetch(MNIST_BASES.stream().map(base -> base.resolve(file.getKey())).toList(), partial);
        verifyOrDelete(partial, file.getValue(), true);
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new DataException("cannot store " + target + ": " + DataFiles.describe(e), e);
      } finally {
        deleteQuietly(partial);
      }
    }
  }

  /** Throws unless the sha256 of {@code file} (decompressed first when {@code gunzip}) is {@code expectedSha256}. */
  public static void verify(Path file, String expectedSha256, boolean gunzip) throws DataException {
    String actual = sha256(file, gunzip);
    if (!actual.equalsIgnoreCase(expectedSha256)) {
      throw new DataException("checksum mismatch for " + file + (gunzip ? " (decompressed)" : "") + ": sha256 is "
          + actual + ", expected " + expectedSha256);
    }
  }

  /** The lower-case hex sha256 of {@code file}'s bytes, or of its decompressed bytes when {@code gunzip}. */
  public static String sha256(Path file, boolean gunzip) throws DataException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = gunzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw DataFiles.cannotRead(file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Writes the regular files of a {@code .tar.gz} whose base names are in {@code wanted} into
   * {@code directory} (by base name only, so no entry can escape it).
   */
  static void extractTarGz(Path archive, Path directory, Set<String> wanted) throws DataException {
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        String octalSize = field(header, 124, 12).strip();
        long size = octalSize.isEmpty() ? 0 : Long.parseLong(octalSize, 8);
        boolean regular = header[156] == '0' || header[156] == 0;
        String baseName = Path.of(prefix.isEmpty() ? name : prefix + "/" + name).getFileName().toString();
        long padded = (size + 511) / 512 * 512;
        if (regular && wanted.contains(baseName)) {
          Path target = directory.resolve(baseName);
          try (OutputStream out = Files.newOutputStream(target)) {
            copyExactly(in, out, size, archive);
          }
          in.skipNBytes(padded - size);
        } else {
          in.skipNBytes(padded);
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new DataException("cannot unpack " + archive + ": " + DataFiles.describe(e), e);
    }
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }

  private static void copyExactly(InputStream in, OutputStream out, long size, Path archive) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (long left = size; left > 0; ) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new IOException("archive " + archive + " ends inside an entry");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  /** Tries each address in turn; reports every failure when none works. */
  private void fetch(List<URI> sources, Path destination) throws DataException {
    StringBuilder failures = new StringBuilder();
    for (URI source : sources) {
      try {
        fetcher.fetch(source, destination);
        return;
      } catch (IOException e) {
        failures.append("; ").append(source).append(": ").append(DataFiles.describe(e));
      }
    }
    throw new DataException("cannot download " + destination.getFileName() + failures);
  }

  private static boolean allVerified(Path directory, Map<String, String> sha256) {
    for (Map.Entry<String, String> file : sha256.entrySet()) {
      if (!matches(directory.resolve(file.getKey()), file.getValue(), false)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code file} exists and has the expected sha256; an unreadable file (e.g. a broken .gz) does not. */
  private static boolean matches(Path file, String expectedSha256, boolean gunzip) {
    try {
      return Files.isRegularFile(file) && sha256(file, gunzip).equalsIgnoreCase(expectedSha256);
    } catch (DataException e) {
      return false;
    }
  }

  private static void verifyOrDelete(Path file, String expectedSha256, boolean gunzip) throws DataException {
    try {
      verify(file, expectedSha256, gunzip);
    } catch (DataException e) {
      deleteQuietly(file);
      throw e;
    }
  }

  private static void createDirectories(Path directory) throws DataException {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new DataException("cannot create " + directory + ": " + DataFiles.describe(e), e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover partial file is harmless: it is overwritten on the next try
    }
  }
}
