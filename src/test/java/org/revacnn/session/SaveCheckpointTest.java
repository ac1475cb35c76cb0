package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * save-checkpoint writes only inside the session's checkpoint folder, under a plain name: paths,
 * "..", links leading out and existing files (without "overwrite") are refused, and a refused save
 * changes nothing.
 */
class SaveCheckpointTest {
  @TempDir
  Path dir;

  private TrainingSession session() {
    return new TrainingSession(SessionFixtures.config().withCheckpointDir(dir.resolve("checkpoints")), SessionFixtures.data());
  }

  @Test
  void savesUnderAPlainNameInAFolderItCreatesForItsOwnerOnly() throws Exception {
    try (TrainingSession s = session()) {
      SessionFixtures.train(s, 2);
      CommandResult saved = apply(s, new Command.SaveCheckpoint("mine", null));
      assertThat(saved.ok()).as(saved.message()).isTrue();
      Path folder = dir.resolve("checkpoints").toRealPath();
      assertThat(saved.changes()).containsEntry("file", "mine.ckpt").containsEntry("folder", folder.toString());
      assertThat(Checkpoint.read(folder.resolve("mine.ckpt"), SessionFixtures.config()).sessionStep()).isEqualTo(2);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
      assertThat(apply(s, new Command.SaveCheckpoint("other.ckpt", null)).changes()).containsEntry("file", "other.ckpt");
    }
  }

  @Test
  void withoutANameEachSaveGetsAFreshStepName() throws Exception {
    try (TrainingSession s = session()) {
      SessionFixtures.train(s, 3);
      assertThat(apply(s, new Command.SaveCheckpoint(null, null)).changes()).containsEntry("file", "step3.ckpt");
      assertThat(apply(s, new Command.SaveCheckpoint(null, null)).changes()).containsEntry("file", "step3-2.ckpt");
    }
  }

  @Test
  void anExistingFileIsReplacedOnlyWhenAsked() throws Exception {
    try (TrainingSession s = session()) {
      apply(s, new Command.SaveCheckpoint("mine", null));
      Path file = dir.resolve("checkpoints").resolve("mine.ckpt");
      byte[] first = Files.readAllBytes(file);
      SessionFixtures.train(s, 2);
      int logged = s.history().steering().size();
      CommandResult refused = apply(s, new Command.SaveCheckpoint("mine.ckpt", false));
      assertThat(refused.ok()).isFalse();
      assertThat(refused.message()).isEqualTo("a checkpoint named 'mine.ckpt' already exists; send \"overwrite\": true to replace it");
      assertThat(Files.readAllBytes(file)).isEqualTo(first);
      assertThat(s.history().steering()).hasSize(logged);
      assertThat(apply(s, new Command.SaveCheckpoint("mine", true)).ok()).isTrue();
      assertThat(Checkpoint.read(file, SessionFixtures.config()).sessionStep()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/x.ckpt", "../x", "../../x.ckpt", "a/b", "a\\b", "..", ".", ".hidden", "", "x\u0000y", "C:x",
      "sub/../../x", "~/x", "x..ckpt"})
  void pathsAreRefusedAndNothingIsWritten(String name) throws Exception {
    try (TrainingSession s = session()) {
      List<float[]> before = SessionFixtures.weightsAndState(s);
      CommandResult result = apply(s, new Command.SaveCheckpoint(name, true));
      assertThat(result.ok()).isFalse();
      assertThat(result.message()).startsWith("a checkpoint name must be a plain file name, not a path");
      assertThat(filesUnder(dir)).isEmpty();
      SessionFixtures.assertBitIdentical(SessionFixtures.weightsAndState(s), before);
      assertThat(s.history().steering()).isEmpty();
    }
  }

  @Test
  void linksAreNeverWrittenThroughOrReplaced() throws Exception {
    Path outside = Files.writeString(dir.resolve("precious.txt"), "keep me");
    Path folder = Files.createDirectories(dir.resolve("checkpoints"));
    Files.createSymbolicLink(folder.resolve("link.ckpt"), outside);
    Files.createSymbolicLink(folder.resolve("dangling.ckpt"), dir.resolve("new-outside.ckpt"));
    try (TrainingSession s = session()) {
      for (String name : new String[] {"link", "link.ckpt", "dangling"}) {
        CommandResult result = apply(s, new Command.SaveCheckpoint(name, true));
        assertThat(result.ok()).as(name).isFalse();
        assertThat(result.message()).contains("is a link");
      }
    }
    assertThat(Files.readString(outside)).isEqualTo("keep me");
    assertThat(Files.isSymbolicLink(folder.resolve("link.ckpt"))).isTrue();
    assertThat(dir.resolve("new-outside.ckpt")).doesNotExist();
  }

  @Test
  void aSessionWithoutAFolderRefusesToSave() {
    try (TrainingSession s = SessionFixtures.session()) {
      CommandResult result = apply(s, new Command.SaveCheckpoint("mine", null));
      assertThat(result.ok()).isFalse();
      assertThat(result.message()).contains("no checkpoint folder").contains("--checkpoint-dir");
    }
  }

  private static List<Path> filesUnder(Path root) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
