package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.data.ImageSet;
import org.revacnn.session.SessionFixtures;

/**
 * {@code POST /api/classify} (class probabilities without touching the probe or the steering log)
 * and {@code GET /api/sprites} (a page of images in one PNG) over real HTTP.
 */
class ClassifyAndSpriteApiTest {
  @AutoClose
  private static final TestServer server = TestServer.start(null);

  /** Validation image {@code index} as the uint8 CHW bytes an upload sends. */
  private static byte[] pixels(int index) {
    ImageSet set = SessionFixtures.data().validation();
    var shape = set.shape();
    byte[] out = new byte[shape.size()];
    for (int c = 0, i = 0; c < shape.channels(); c++) {
      for (int y = 0; y < shape.height(); y++) {
        for (int x = 0; x < shape.width(); x++) out[i++] = (byte) set.pixel(index, c, y, x);
      }
    }
    return out;
  }

  @Test
  void classifyAnswersTheProbeImagesProbabilitiesAndChangesNothing() throws Exception {
    var before = server.session.latest();
    int logBefore = server.session.history().steering().size();
    // validation image 0 is the probe: classifying its pixels gives the probe's probabilities
    String body = "{\"pixels\":\"" + Base64.getEncoder().encodeToString(pixels(0)) + "\"}";
    HttpResponse<String> response = server.post("/api/classify", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode probabilities = SocketClient.JSON.readTree(response.body()).get("probabilities");
    float[] expected = before.probe().probabilities();
    assertThat(probabilities).hasSize(expected.length);
    double sum = 0;
    for (int c = 0; c < expected.length; c++) {
      assertThat(probabilities.get(c).asDouble()).isCloseTo(expected[c], org.assertj.core.data.Offset.offset(1e-5));
      sum += probabilities.get(c).asDouble();
    }
    assertThat(sum).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-4));

    // a different image: a different answer, and still neither the probe nor the log moved
    String other = "{\"pixels\":\"" + Base64.getEncoder().encodeToString(pixels(5)) + "\"}";
    assertThat(server.post("/api/classify", other).body()).isNotEqualTo(response.body());
    assertThat(server.session.latest().probe().index()).isEqualTo(0);
    assertThat(server.session.history().steering()).hasSize(logBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{}", "{\"pixels\":5}", "{\"pixels\":\"AAAA\"}", "{\"pixels\":\"@@@@\"}",
      "{\"pixels\":\"AAAA\",\"label\":1}", "{\"pixels\":\"AAAA\"}}", "not json"})
  void badClassifyBodiesGetAReadable400(String body) throws Exception {
    HttpResponse<String> response = server.post("/api/classify", body);
    assertThat(response.statusCode()).as(body).isEqualTo(400);
    String error = SocketClient.JSON.readTree(response.body()).get("error").asText();
    assertThat(error).matches(".*(pixels|base64|3x32x32).*").doesNotContain("Exception");
  }

  @Test
  void aSpriteSheetHoldsConsecutiveImagesInRowsOf20() throws Exception {
    ImageSet test = SessionFixtures.data().test();
    HttpResponse<byte[]> response = server.getBytes("/api/sprites/test?from=3&count=45");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
    BufferedImage sprite = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertThat(sprite.getWidth()).isEqualTo(20 * 32);
    assertThat(sprite.getHeight()).isEqualTo(3 * 32);
    // image 3 + 27 sits at column 7, row 1
    for (int[] at : new int[][] {{0, 0}, {31, 17}, {12, 30}}) {
      int rgb = sprite.getRGB(7 * 32 + at[0], 32 + at[1]) & 0xFFFFFF;
      int expected = (test.pixel(30, 0, at[1], at[0]) << 16) | (test.pixel(30, 1, at[1], at[0]) << 8) | test.pixel(30, 2, at[1], at[0]);
      assertThat(rgb).isEqualTo(expected);
    }
    assertThat(server.get("/api/sprites/test?from=0&count=0").statusCode()).isEqualTo(400);
    assertThat(server.get("/api/sprites/test?from=99&count=2").statusCode()).isEqualTo(400);
    assertThat(server.get("/api/sprites/test").statusCode()).isEqualTo(400);
    assertThat(server.get("/api/sprites/nope?count=1").statusCode()).isEqualTo(400);
  }
}
