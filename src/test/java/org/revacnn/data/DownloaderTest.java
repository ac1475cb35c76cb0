package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks verification and unpacking on local files; no test here touches the network. */
class DownloaderTest {
  private static final String SHA256_OF_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir Path directory;

  @Test
  void verifyAcceptsTheRightSha256PlainOrDecompressed() throws Exception {
    Path plain = Files.writeString(directory.resolve("abc"), "abc");
    Path gzipped = TestFiles.write(directory.resolve("abc.gz"), "abc".getBytes(StandardCharsets.US_ASCII));
    Downloader.verify(plain, SHA256_OF_ABC, false);
    Downloader.verify(gzipped, SHA256_OF_ABC.toUpperCase(), true);
    assertThat(Downloader.sha256(gzipped, false)).isNotEqualTo(SHA256_OF_ABC);
  }

  @Test
  void verifyRejectsAWrongSha256NamingTheFile() throws IOException {
    Path file = Files.writeString(directory.resolve("abd"), "abd");
    assertThatThrownBy(() -> Downloader.verify(file, SHA256_OF_ABC, false)).isInstanceOf(DataException.class)
        .hasMessageContaining("checksum mismatch for " + file).hasMessageContaining("expected " + SHA256_OF_ABC);
  }

  @Test
  void unpacksOnlyTheWantedFilesOfATarGzByBaseName() throws Exception {
    Path archive = directory.resolve("a.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
      out.write(tarEntry("cifar-10-batches-bin/data_batch_1.bin", "first".getBytes(StandardCharsets.US_ASCII)));
      out.write(tarEntry("cifar-10-batches-bin/readme.html", new byte[700]));
      out.write(tarEntry("../../escape/test_batch.bin", new byte[600]));
      out.write(new byte[1024]);
    }
    Path target = Files.createDirectory(directory.resolve("out"));

    Downloader.extractTarGz(archive, target, Set.of("data_batch_1.bin", "test_batch.bin"));

    assertThat(Files.readString(target.resolve("data_batch_1.bin"))).isEqualTo("first");
    assertThat(Files.size(target.resolve("test_batch.bin"))).isEqualTo(600);
    try (var files = Files.list(target)) {
      assertThat(files.count()).isEqualTo(2);
    }
  }

  @Test
  void aFetchedFileWithTheWrongChecksumIsDeletedAndReported() {
    List<String> fetched = new ArrayList<>();
    Downloader downloader = new Downloader((source, destination) -> {
      fetched.add(source.toString());
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(destination))) {
        out.write("not mnist".getBytes(StandardCharsets.US_ASCII));
      }
    });
    Path mnist = directory.resolve("mnist");
    assertThatThrownBy(() -> downloader.ensureMnist(mnist)).isInstanceOf(DataException.class)
        .hasMessageContaining("checksum mismatch");
    assertThat(fetched).hasSize(1);
    assertThat(fetched.get(0)).startsWith(Downloader.MNIST_BASES.get(0).toString()).endsWith(".gz");
    assertThat(mnist.toFile().list()).isEmpty();
  }

  @Test
  void triesEveryAddressAndReportsEachFailure() {
    Downloader downloader = new Downloader((source, destination) -> {
      throw new IOException("HTTP 403 from " + source);
    });
    assertThatThrownBy(() -> downloader.ensureMnist(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining("cannot download").hasMessageContaining("yann.lecun.com")
        .hasMessageContaining("ossci-datasets");
  }

  @Test
  void verifiedFilesAreNotFetchedAgain() throws Exception {
    Path real = SharedData.directory("mnist");
    // links, not copies, removed here so JUnit's clean-up never meets a link leaving its folder
    Path links = Files.createTempDirectory("revacnn-mnist-links");
    try {
      for (String name : Downloader.MNIST_SHA256.keySet()) {
        Files.createSymbolicLink(links.resolve(name), real.resolve(name).toAbsolutePath());
      }
      new Downloader((source, destination) -> {
        throw new AssertionError("fetched " + source);
      }).ensureMnist(links);
    } finally {
      for (String name : Downloader.MNIST_SHA256.keySet()) {
        Files.deleteIfExists(links.resolve(name));
      }
      Files.delete(links);
    }
  }

  /** One ustar header block plus the data padded to 512 bytes. */
  private static byte[] tarEntry(String name, byte[] data) {
    byte[] entry = new byte[512 + (data.length + 511) / 512 * 512];
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(nameBytes, 0, entry, 0, nameBytes.length);
    byte[] size = String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, entry, 124, size.length);
    entry[156] = '0';
    System.arraycopy(data, 0, entry, 512, data.length);
    return entry;
  }
}
