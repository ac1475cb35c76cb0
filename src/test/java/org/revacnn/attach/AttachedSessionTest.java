package org.revacnn.attach;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.TsneKind;
import org.revacnn.engine.Architecture;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;
import org.revacnn.session.Snapshot;

/** The attached session against a scripted run: what it publishes, forwards and refuses (docs/ENGINE.md). */
class AttachedSessionTest {
  @TempDir
  Path checkpoints;

  private AttachedSession session;
  private RecordingLink run;

  @BeforeEach
  void open() {
    session = new AttachedSession(checkpoints);
    run = new RecordingLink();
  }

  @AfterEach
  void close() {
    session.close();
  }

  private void attach() {
    assertThat(session.connect(run)).isTrue();
    session.receive(run, TinyRun.hello());
    assertThat(run.sent).as("no error for a good hello").isEmpty();
  }

  @Test
  void beforeAnyRunItWaitsAndRefusesCommandsSayingWhy() throws Exception {
    assertThat(session.engine().state()).isEqualTo("waiting");
    assertThat(session.engine().message()).contains("waiting for a PyTorch run");
    assertThat(session.engine().unsupported()).containsKeys("reset", "test-view").doesNotContainKeys("pause", "add-filters");
    assertThat(session.architecture()).isNull();
    assertThat(session.latest()).isNull();
    CommandResult result = session.submit(new Command.Pause()).get(1, TimeUnit.SECONDS);
    assertThat(result.ok()).isFalse();
    assertThat(result.message()).startsWith("cannot pause: no PyTorch run is attached");
  }

  @Test
  void theHelloDescribesTheRunItsNetworkAndWhatItCannotDo() {
    attach();
    var engine = session.engine();
    assertThat(engine.kind()).isEqualTo("pytorch");
    assertThat(engine.state()).isEqualTo("attached");
    assertThat(engine.run()).isEqualTo(1);
    assertThat(engine.framework()).isEqualTo("torch 1.13.1");
    assertThat(engine.ranks()).extracting(r -> r.checksum()).containsExactly("aa11");
    assertThat(engine.refused().get("0")).containsEntry("remove-layer", "it maps 3 channels to 2");
    assertThat(engine.refused()).doesNotContainKey("2");
    assertThat(engine.unsupported()).containsKeys("reset", "set-probe", "freeze", "test-view", "recommendations");
    assertThat(engine.unsupported()).doesNotContainKeys("add-filters", "undo", "pause");
    Architecture architecture = session.architecture();
    assertThat(architecture.input().toString()).isEqualTo("3x8x8");
    assertThat(architecture.classes()).isEqualTo(2);
    assertThat(architecture.layers()).extracting(Architecture.LayerInfo::kind).containsExactly("conv", "relu", "flatten", "dense");
    Architecture.LayerInfo conv = architecture.layers().get(0);
    assertThat(conv.filters()).isEqualTo(2);
    assertThat(conv.unitNumbers()).containsExactly(0, 1);
    assertThat(architecture.layers().get(3).units()).isEqualTo(2);
    assertThat(architecture.layers().get(2).outputShape().toString()).isEqualTo("128x1x1");
    assertThat(session.classNames()).containsExactly("cat", "dog");
    assertThat(session.dataDescription()).contains("torch 1.13.1");
  }

  @Test
  void snapshotsArePublishedWithEveryLayerAndRecordedInTheHistory() {
    attach();
    session.receive(run, TinyRun.snapshot(5, 2.25, 0.01));
    session.receive(run, TinyRun.snapshot(6, null, 0.01));
    assertThat(run.sent).isEmpty();
    Snapshot latest = session.latest();
    assertThat(latest.step()).isEqualTo(6);
    assertThat(latest.epoch()).isEqualTo(1);
    assertThat(latest.epochProgress()).isEqualTo(1.5);
    assertThat(latest.layers()).hasSize(4);
    Snapshot.LayerView conv = latest.layers().get(0);
    assertThat(conv.filterIds()).containsExactly("0/f0", "0/f1");
    assertThat(conv.activePath()).containsExactly(true, false);
    assertThat(conv.thumbnailChannels()).isEqualTo(3);
    assertThat(conv.thumbnails()).hasSize(2 * 3 * 9);
    assertThat(latest.layers().get(1).filterIds()).isEmpty();
    assertThat(latest.probe().probabilities()).containsExactly(0.25f, 0.75f);
    var history = session.history().full();
    assertThat(history.loss()).as("a snapshot without a loss adds no point").containsExactly(2.25f);
    assertThat(history.firstStep()).isEqualTo(5);
  }

  @Test
  void aSnapshotThatDoesNotFitTheNetworkIsAnsweredWithAnErrorAndIgnored() {
    attach();
    session.receive(run, TinyRun.snapshot(1, 2.0, 0.01));
    session.receive(run, TinyRun.snapshot(2, 2.0, 0.01).replace("\"jitter\": [0.01, 0.02]", "\"jitter\": [0.01]"));
    assertThat(run.last().path("type").asText()).isEqualTo("error");
    assertThat(run.last().path("payload").path("message").asText()).contains("layer '0' has 1 jitter values for 2 filters");
    assertThat(session.latest().step()).isEqualTo(1);
  }

  @Test
  void aCommandIsForwardedAndItsAckLoggedAsSteering() throws Exception {
    attach();
    session.receive(run, TinyRun.snapshot(7, 2.0, 0.01));
    CompletableFuture<CommandResult> answer = session.submit(new Command.SetHyperparameters(0.05f, null, null, null, null));
    JsonNode sent = run.last();
    assertThat(sent.path("type").asText()).isEqualTo("set-hyperparameters");
    assertThat(sent.path("payload").path("learningRate").asDouble()).isEqualTo(0.05, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(answer).isNotDone();
    session.receive(run, TinyRun.ack(sent.path("id").asText(), "{\"learningRate\": {\"from\": 0.01, \"to\": 0.05}}"));
    CommandResult result = answer.get(1, TimeUnit.SECONDS);
    assertThat(result.ok()).isTrue();
    assertThat(result.changes()).containsKey("learningRate");
    assertThat(session.history().steering()).singleElement().satisfies(entry -> {
      assertThat(entry.type()).isEqualTo("set-hyperparameters");
      assertThat(entry.step()).isEqualTo(7);
    });
  }

  @Test
  void aNoOpAndARefusalLeaveNoSteeringEntry() throws Exception {
    attach();
    CompletableFuture<CommandResult> pause = session.submit(new Command.Pause());
    session.receive(run, "{\"type\": \"ack\", \"id\": \"" + run.last().path("id").asText()
        + "\", \"payload\": {\"changes\": {}, \"message\": \"nothing changed: already paused\"}}");
    assertThat(pause.get(1, TimeUnit.SECONDS).message()).isEqualTo("nothing changed: already paused");
    assertThat(pause.get().unchanged()).isTrue();
    CompletableFuture<CommandResult> add = session.submit(new Command.AddFilters("1", 1, null, null, null));
    session.receive(run, "{\"type\": \"error\", \"id\": \"" + run.last().path("id").asText()
        + "\", \"payload\": {\"message\": \"cannot add filters to 1: it is a ReLU, not an nn.Conv2d\"}}");
    assertThat(add.get(1, TimeUnit.SECONDS).ok()).isFalse();
    assertThat(add.get().message()).isEqualTo("cannot add filters to 1: it is a ReLU, not an nn.Conv2d");
    assertThat(session.history().steering()).isEmpty();
  }

  @Test
  void whatTheRunCannotDoIsRefusedHereWithTheReasonAndNeverSent() throws Exception {
    attach();
    CommandResult reset = session.submit(new Command.Reset(null)).get(1, TimeUnit.SECONDS);
    assertThat(reset.message()).isEqualTo("cannot reset: an attached run builds its own model; restart the training script for a new one");
    CommandResult freeze = session.submit(new Command.Freeze("0")).get(1, TimeUnit.SECONDS);
    assertThat(freeze.message()).isEqualTo("cannot freeze: this run does not take 'freeze' commands");
    assertThat(run.sent).isEmpty();
  }

  @Test
  void aCheckpointNameIsCheckedHereAndSentWithTheFolder() throws Exception {
    attach();
    CommandResult bad = session.submit(new Command.SaveCheckpoint("../escape", null)).get(1, TimeUnit.SECONDS);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.message()).contains("plain file name");
    assertThat(run.sent).isEmpty();
    session.submit(new Command.SaveCheckpoint("mine", null));
    JsonNode payload = run.last().path("payload");
    assertThat(payload.path("name").asText()).isEqualTo("mine.ckpt");
    assertThat(Path.of(payload.path("folder").asText())).isEqualTo(checkpoints.toRealPath());
    assertThat(payload.path("overwrite").asBoolean()).isFalse();
  }

  @Test
  void aLightSnapshotUpdatesTheJitterAndKeepsThePreviousPathsThumbnailsAndProbe() {
    attach();
    session.receive(run, TinyRun.lightSnapshot(1, 2.0)); // before any full one: no paths yet
    Snapshot.LayerView first = session.latest().layers().get(0);
    assertThat(first.jitter()).containsExactly(0.03f, 0.04f);
    assertThat(first.activation()).containsExactly(0f, 0f);
    assertThat(first.thumbnails()).isEmpty();
    assertThat(session.latest().probe().probabilities()).isEmpty();
    session.receive(run, TinyRun.snapshot(2, 1.5, 0.01));
    session.receive(run, TinyRun.lightSnapshot(3, 1.0));
    assertThat(run.sent).as("no error").isEmpty();
    Snapshot light = session.latest();
    assertThat(light.step()).isEqualTo(3);
    assertThat(light.loss()).isEqualTo(1.0);
    Snapshot.LayerView conv = light.layers().get(0);
    assertThat(conv.jitter()).containsExactly(0.03f, 0.04f);
    assertThat(conv.activation()).containsExactly(5f, 1f);
    assertThat(conv.activePath()).containsExactly(true, false);
    assertThat(conv.thumbnailSize()).isEqualTo(3);
    assertThat(conv.thumbnails()).hasSize(2 * 3 * 9);
    assertThat(light.layers().get(3).jitter()).containsExactly(0.5f, 0.6f);
    assertThat(light.probe().label()).isEqualTo(1);
    assertThat(light.probe().probabilities()).containsExactly(0.25f, 0.75f);
    assertThat(session.history().lastStep()).isEqualTo(3);
  }

  @Test
  void onlyOneRunAtATimeAndAHelloFirst() {
    RecordingLink early = new RecordingLink();
    assertThat(session.connect(early)).isTrue();
    session.receive(early, TinyRun.snapshot(1, 1.0, 0.01));
    assertThat(early.last().path("payload").path("message").asText()).isEqualTo("the first message must be a hello, got 'snapshot'");
    session.receive(early, "{\"type\": \"hello\", \"payload\": {\"protocolVersion\": 1}}");
    assertThat(early.closedBecause).isEqualTo("engine protocol 1 is not supported; this server speaks 2");
    assertThat(session.connect(new RecordingLink())).as("a second run while one is connected").isFalse();
  }

  @Test
  void unreadableMessagesAreAnsweredWithAnError() {
    attach();
    session.receive(run, "not json");
    session.receive(run, "{\"type\": \"snapshot\", \"extra\": 1}");
    session.receive(run, "{\"type\": \"gossip\"}");
    assertThat(run.ofType("error")).extracting(m -> m.path("payload").path("message").asText()).satisfiesExactly(
        m -> assertThat(m).startsWith("malformed JSON"),
        m -> assertThat(m).isEqualTo("unknown field 'extra'; a message has only type, id and payload"),
        m -> assertThat(m).startsWith("unknown message type 'gossip'"));
    assertThat(session.engine().state()).isEqualTo("attached");
  }

  @Test
  void aRunThatSaysGoodbyeEndsAndItsUnansweredCommandsFail() throws Exception {
    attach();
    session.receive(run, TinyRun.snapshot(3, 2.0, 0.01));
    CompletableFuture<CommandResult> waiting = session.submit(new Command.Pause());
    session.receive(run, "{\"type\": \"bye\", \"payload\": {\"reason\": \"finished\", \"step\": 3}}");
    assertThat(session.engine().state()).isEqualTo("ended");
    assertThat(session.engine().message()).isEqualTo("the run ended at step 3 (finished); waiting for a new run");
    assertThat(session.latest().state()).isEqualTo("ended");
    assertThat(waiting.get(1, TimeUnit.SECONDS).message()).isEqualTo("the run ended before answering");
    assertThat(session.submit(new Command.Resume()).get(1, TimeUnit.SECONDS).ok()).isFalse();
    assertThat(session.history().full().loss()).hasSize(1);
  }

  @Test
  void aDroppedRunIsReportedAndANewRunContinuesTheHistory() throws Exception {
    attach();
    session.receive(run, TinyRun.snapshot(10, 2.0, 0.01));
    CompletableFuture<CommandResult> waiting = session.submit(new Command.Pause());
    session.disconnected(run);
    assertThat(session.engine().state()).isEqualTo("dropped");
    assertThat(session.engine().message()).contains("disconnected at step 10");
    assertThat(waiting.get(1, TimeUnit.SECONDS).message()).isEqualTo("the run disconnected before answering");

    RecordingLink second = new RecordingLink();
    assertThat(session.connect(second)).isTrue();
    session.receive(second, TinyRun.hello());
    session.receive(second, TinyRun.snapshot(2, 1.5, 0.01));
    assertThat(session.engine().run()).isEqualTo(2);
    assertThat(session.engine().state()).isEqualTo("attached");
    assertThat(session.latest().step()).as("steps continue after the earlier run's").isEqualTo(12);
    assertThat(session.history().full().loss()).containsExactly(2.0f, 1.5f);
  }

  @Test
  void anErrorOfTheRunsOwnIsShownInTheEngineMessage() {
    attach();
    session.receive(run, "{\"type\": \"error\", \"payload\": {\"message\": \"the ranks hold different weights after add-filters (a1)\"}}");
    assertThat(session.engine().message()).isEqualTo("the ranks hold different weights after add-filters (a1)");
  }

  @Test
  void aFilterMapIsComputedHereFromVectorsTheRunSends() throws Exception {
    attach();
    CompletableFuture<FilterMap> map = session.filterMap("0", TsneKind.WEIGHTS);
    JsonNode request = run.last();
    assertThat(request.path("type").asText()).isEqualTo("vectors");
    assertThat(request.path("payload").path("layer").asText()).isEqualTo("0");
    session.receive(run, "{\"type\": \"vectors\", \"id\": \"" + request.path("id").asText() + "\", \"payload\": {\"layer\": \"0\", "
        + "\"kind\": \"weights\", \"ids\": [\"0/f0\", \"0/f1\"], \"vectors\": [[0.1, 0.2, 0.3], [-0.3, 0.0, 0.5]]}}");
    FilterMap result = map.get(10, TimeUnit.SECONDS);
    assertThat(result.points()).extracting(FilterMap.Point::id).containsExactly("0/f0", "0/f1");
  }

  @Test
  void checksumsAreMeasuredOnRequestAndAReportedOnceTheRunLeaves() throws Exception {
    attach();
    CompletableFuture<org.revacnn.session.EngineInfo> now = session.engineWithChecksums();
    JsonNode request = run.last();
    assertThat(request.path("type").asText()).isEqualTo("checksums");
    assertThat(now).isNotDone();
    session.receive(run, "{\"type\": \"checksums\", \"id\": \"" + request.path("id").asText()
        + "\", \"payload\": {\"ranks\": [{\"rank\": 0, \"checksum\": \"cc33\"}]}}");
    assertThat(now.get(1, TimeUnit.SECONDS).ranks()).extracting(r -> r.checksum()).containsExactly("cc33");
    CompletableFuture<org.revacnn.session.EngineInfo> unanswered = session.engineWithChecksums();
    session.disconnected(run);
    assertThat(unanswered.get(1, TimeUnit.SECONDS).ranks()).extracting(r -> r.checksum()).containsExactly("cc33");
    assertThat(session.engineWithChecksums()).isDone();
  }

  @Test
  void architectureMessagesReplaceTheNetworkAndItsRefusals() {
    attach();
    session.receive(run, "{\"type\": \"architecture\", \"payload\": " + TinyRun.ARCHITECTURE
        .replace("\"unitIds\": [\"0/f0\", \"0/f1\"], \"nextUnitNumber\": 2", "\"unitIds\": [\"0/f1\"], \"nextUnitNumber\": 2")
        .replace("\"filters\": 2, \"kernelSize\": 3", "\"filters\": 1, \"kernelSize\": 3")
        .replace("\"aa11\"", "\"bb22\"") + "}");
    assertThat(run.sent).isEmpty();
    assertThat(session.architecture().layers().get(0).unitIds()).containsExactly("0/f1");
    assertThat(session.architecture().layers().get(0).unitNumbers()).containsExactly(1);
    assertThat(session.engine().ranks()).extracting(r -> r.checksum()).containsExactly("bb22");
  }

  @Test
  void theAgentsSkipsReachTheArchitectureAndASkipToAnUnknownLayerIsRefused() {
    attach();
    assertThat(session.architecture().skips()).as("a hello without skips").isEmpty();
    String skip = "\"skips\": [{\"block\": \"b\", \"from\": \"0\", \"to\": \"%s\", \"shortcut\": \"identity\", \"projection\": null}], \"layers\"";
    session.receive(run, "{\"type\": \"architecture\", \"payload\": " + TinyRun.ARCHITECTURE.replace("\"layers\"", skip.formatted("3")) + "}");
    assertThat(run.sent).isEmpty();
    assertThat(session.architecture().skips()).containsExactly(new Architecture.Skip("b", "0", "3", "identity", null));
    session.receive(run, "{\"type\": \"architecture\", \"payload\": " + TinyRun.ARCHITECTURE.replace("\"layers\"", skip.formatted("9")) + "}");
    assertThat(run.last().path("payload").path("message").asText())
        .contains("the skip of block 'b' names layer '9', which is not a layer of the model");
    assertThat(session.architecture().skips()).as("the architecture as it was").containsExactly(
        new Architecture.Skip("b", "0", "3", "identity", null));
  }
}
