package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.revacnn.session.Command;

/**
 * Parsing is strict: nothing after the JSON object, no number read as text or text as a number,
 * null is never "unchanged", and the error says which field is wrong, in words.
 */
class StrictParsingTest {
  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"pause\"}}", "{\"type\":\"pause\"} {\"type\":\"resume\"}", "{\"type\":\"pause\"}x",
      "{\"type\":\"pause\"}]", "{\"type\":\"pause\"} 5"})
  void trailingTextAfterTheMessageIsRefused(String text) {
    assertThatThrownBy(() -> Protocol.parseRequest(text)).isInstanceOf(Protocol.BadRequest.class)
        .hasMessageStartingWith("malformed JSON");
  }

  @Test
  void whitespaceAfterTheMessageIsFine() throws Exception {
    assertThat(Protocol.parseRequest("{\"type\":\"pause\"}  \n").command()).isEqualTo(new Command.Pause());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "save-checkpoint | {\"name\":5}                  | field 'name': must be text, got the number 5",
      "freeze          | {\"layer\":5}                 | field 'layer': must be text, got the number 5",
      "set-hyperparameters | {\"optimizer\":5}         | field 'optimizer': must be text, got the number 5",
      "add-filters     | {\"layer\":\"conv2\",\"count\":1,\"init\":true} | field 'init': must be text, got true",
      "set-hyperparameters | {\"learningRate\":\"NaN\"}      | field 'learningRate': must be a number, got the text 'NaN'",
      "set-hyperparameters | {\"learningRate\":\"Infinity\"} | field 'learningRate': must be a number, got the text 'Infinity'",
      "set-hyperparameters | {\"learningRate\":\"0.1\"}      | field 'learningRate': must be a number, got the text '0.1'",
      "set-hyperparameters | {\"batchSize\":\"8\"}          | field 'batchSize': must be a whole number, got the text '8'",
      "set-hyperparameters | {\"batchSize\":8.5}            | field 'batchSize': must be a whole number, got the number 8.5",
      "set-hyperparameters | {\"batchSize\":99999999999}    | field 'batchSize': must be a whole number, got the number 99999999999",
      "set-hyperparameters | {\"learningRate\":null}        | field 'learningRate': must not be null",
      "set-probe       | {\"image\":null}               | field 'image': must not be null",
      "insert-layer    | {\"after\":\"pool1\",\"kind\":\"conv\",\"filters\":4,\"pool\":\"yes\"} | field 'pool': must be true or false, got the text 'yes'",
      "remove-filters  | {\"layer\":\"conv2\",\"filters\":[null]} | field 'filters': element 0 must not be null",
      "remove-filters  | {\"layer\":\"conv2\",\"filters\":[\"conv2/f0\",3]} | field 'filters': element 1 must be text, got the number 3",
      "remove-filters  | {\"layer\":\"conv2\",\"filters\":\"conv2/f0\"} | field 'filters': must be a list of ids, got the text 'conv2/f0'",
      "set-probe       | {\"pixels\":[1,2]}             | field 'pixels': must be base64 text, got a list",
      "reset           | {\"model\":5}                 | field 'model': must be text, got the number 5",
      "reset           | {\"model\":null}              | field 'model': must not be null",
      "pause           | {\"now\":true}                 | unknown field 'now'; it takes no fields",
      "save-checkpoint | {\"path\":\"/etc/x.ckpt\"}     | unknown field 'path'; its fields are [name, overwrite]"})
  void wronglyTypedValuesAreNeverCoerced(String type, String payload, String expected) {
    String message = "{\"type\":\"" + type + "\",\"id\":\"a\",\"payload\":" + payload + "}";
    assertThatThrownBy(() -> Protocol.parseRequest(message)).isInstanceOf(Protocol.BadRequest.class)
        .hasMessageStartingWith("bad payload for '" + type + "'").hasMessageContaining(expected)
        .hasMessageNotContaining("java.").hasMessageNotContaining("Exception");
  }

  @Test
  void validPayloadsStillParse() throws Exception {
    assertThat(Protocol.parseRequest("{\"type\":\"set-hyperparameters\",\"payload\":{\"learningRate\":0.5,\"batchSize\":8}}")
        .command()).isEqualTo(new Command.SetHyperparameters(0.5f, null, 8, null, null));
    assertThat(Protocol.parseRequest("{\"type\":\"save-checkpoint\",\"payload\":{\"name\":\"mine\",\"overwrite\":true}}")
        .command()).isEqualTo(new Command.SaveCheckpoint("mine", true));
    String twentyConvBlocks = String.join("-", java.util.Collections.nCopies(20, "conv512k3nopool"));
    assertThat(Protocol.parseRequest("{\"type\":\"reset\",\"payload\":{\"model\":\"" + twentyConvBlocks + "\"}}").command())
        .isEqualTo(new Command.Reset(twentyConvBlocks));
    assertThat(Protocol.parseRequest("{\"type\":\"set-hyperparameters\",\"payload\":{\"learningRate\":1}}").command())
        .isEqualTo(new Command.SetHyperparameters(1f, null, null, null, null));
  }

  @Test
  void longValuesAreEchoedClipped() {
    String huge = "q".repeat(500_000);
    for (String message : new String[] {
        "{\"type\":\"" + huge + "\"}",
        "{\"type\":\"freeze\",\"payload\":{\"layer\":\"" + huge + "\"}}",
        "{\"type\":\"freeze\",\"payload\":{\"" + huge + "\":1}}",
        "{\"type\":\"pause\",\"" + huge + "\":1}",
        "{\"type\":\"pause\",\"id\":\"" + huge + "\"}",
        "{\"type\":\"pause\"," + huge + "}"}) {
      assertThatThrownBy(() -> Protocol.parseRequest(message)).isInstanceOf(Protocol.BadRequest.class)
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }
  }
}
