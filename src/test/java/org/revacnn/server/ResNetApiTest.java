package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.revacnn.session.SessionFixtures;

/** The REST reads of a ResNet answer for the convs inside its residual blocks (conv2 is the first block's first conv). */
class ResNetApiTest {
  @AutoClose
  private static final TestServer server = TestServer.start(SessionFixtures.config().withModel("resnet20"), null);

  @Test
  void activationMapsAndTsneOfAConvInsideABlock() throws Exception {
    JsonNode block = server.getJson("/api/architecture").at("/layers/3");
    assertThat(block.path("kind").asText()).isEqualTo("residual");
    String inner = block.at("/main/0/id").asText();

    JsonNode maps = server.getJson("/api/activations?image=1&layer=" + inner);
    assertThat(maps.path("kind").asText()).isEqualTo("conv");
    assertThat(maps.path("filters").size()).isEqualTo(16);
    assertThat(maps.at("/filters/3/id").asText()).isEqualTo(inner + "/f3");
    assertThat(maps.at("/filters/3/values").size()).isEqualTo(32 * 32);

    JsonNode tsne = server.getJson("/api/tsne?layer=" + inner + "&kind=activations");
    assertThat(tsne.path("points").size()).isEqualTo(16);

    JsonNode snapshot = server.getJson("/api/snapshot");
    JsonNode view = null;
    for (JsonNode layer : snapshot.path("layers")) if (layer.path("id").asText().equals(inner)) view = layer;
    assertThat(view).as("the snapshot lists " + inner).isNotNull();
    assertThat(view.path("filters").asInt()).isEqualTo(16);
    assertThat(view.path("thumbnails").path("data").asText()).isNotEmpty();
  }
}
