"""Bad messages to an attached run get error replies in the built-in engine's style and leave the
model, the optimizer, the filter ids and the run's state bit-identical."""
import pytest

from agent_harness import attached, command, reply, train_steps
from models import assert_identical, snapshot

BAD = {
    "unknown type": ("explode", {}, "unknown command type 'explode'; expected one of pause, resume"),
    "unknown field": ("pause", {"now": True}, "bad payload for 'pause': unknown field 'now'; fields are none"),
    "null value": ("set-hyperparameters", {"learningRate": None}, "field 'learningRate': null is not a value"),
    "number as text": ("set-hyperparameters", {"learningRate": "0.1"}, "must be a number, got the text '0.1'"),
    "NaN": ("set-hyperparameters", {"learningRate": float("nan")}, "must be a number, got the number nan"),
    "zero rate": ("set-hyperparameters", {"learningRate": 0}, "learningRate must be finite and > 0, got 0"),
    "momentum 1": ("set-hyperparameters", {"momentum": 1.0}, "momentum must be in [0, 1), got 1.0"),
    "negative decay": ("set-hyperparameters", {"weightDecay": -1e-4}, "weightDecay must be >= 0"),
    "batch 0": ("set-hyperparameters", {"batchSize": 0}, "batchSize must be in 1..4096, got 0"),
    "batch 2.5": ("set-hyperparameters", {"batchSize": 2.5}, "must be a whole number, got the number 2.5"),
    "batch true": ("set-hyperparameters", {"batchSize": True}, "must be a whole number, got true"),
    "unknown optimizer": ("set-hyperparameters", {"optimizer": "rmsprop", "learningRate": 0.1},
                          "unknown optimizer 'rmsprop'; expected sgd, adam or adadelta"),
    "step 0": ("step", {"batches": 0}, "batches must be in 1..100000, got 0"),
    "unknown layer": ("add-filters", {"layer": "conv9", "count": 1}, "unknown layer 'conv9'; layers are 0, 1, 2"),
    "layer as number": ("freeze", {"layer": 3}, "field 'layer': must be a text, got the number 3"),
    "no count": ("add-filters", {"layer": "3"}, "cannot add filters to 3: count is required"),
    "count 0": ("add-filters", {"layer": "3", "count": 0}, "count must be in 1..1024, got 0"),
    "add to relu": ("add-filters", {"layer": "1", "count": 1}, "it is a ReLU, not an nn.Conv2d"),
    "add to the last conv's linear": ("add-filters", {"layer": "10", "count": 1}, "it is a Linear"),
    "bad init": ("add-filters", {"layer": "3", "count": 1, "init": "xavier"}, "unknown init 'xavier'"),
    "unknown source": ("add-filters", {"layer": "3", "count": 1, "init": "net2net", "source": "3/f99"},
                       "'3/f99' is not a filter of 3"),
    "source of another layer": ("add-filters", {"layer": "3", "count": 1, "init": "net2net", "source": "0/f1"},
                                "'0/f1' is not a filter of 3"),
    "remove none": ("remove-filters", {"layer": "3", "filters": []}, "filters must list at least one filter id"),
    "remove ids not texts": ("remove-filters", {"layer": "3", "filters": [1]}, "must be a list of texts"),
    "remove every filter": ("remove-filters", {"layer": "0", "filters": [f"0/f{i}" for i in range(16)]},
                            "remove all 16 of its filters"),
    "remove twice": ("remove-filters", {"layer": "3", "filters": ["3/f2", "3/f2"]}, "2 is listed twice"),
    "insert dense": ("insert-layer", {"after": "4", "kind": "dense", "units": 8}, "kind must be conv"),
    "insert random": ("insert-layer", {"after": "4", "kind": "conv", "init": "random"}, "init must be identity"),
    "insert wrong width": ("insert-layer", {"after": "4", "kind": "conv", "filters": 7},
                           "keeps the 20 channels of its input, so filters must be 20"),
    "insert after linear": ("insert-layer", {"after": "10", "kind": "conv"}, "not a known image tensor"),
    "remove shape-changing layer": ("remove-layer", {"layer": "3"}, "it maps 16 channels to 20"),
    "freeze a pool": ("freeze", {"layer": "2"}, "cannot freeze 2: it has no parameters"),
    "nothing to undo": ("undo", {}, "cannot undo: there is no structural change to undo"),
    "reset": ("reset", {}, "cannot reset: an attached run cannot rebuild the user's model"),
    "checkpoint path as name": ("save-checkpoint", {"folder": "/tmp", "name": "../evil"}, "is not a plain file name"),
    "checkpoint relative folder": ("save-checkpoint", {"folder": "here", "name": "a"}, "must be an absolute path"),
    "checkpoint without folder": ("save-checkpoint", {"name": "a"}, "the server names the folder"),
    "vectors of a pool": ("vectors", {"layer": "2"}, "only conv and dense layers have filters"),
    "vectors of a bad kind": ("vectors", {"layer": "3", "kind": "colours"}, "kind must be one of weights"),
    "payload not an object": ("pause", [1], "bad payload for 'pause': must be an object, got a list"),
}


@pytest.fixture(scope="module")
def trained():
    run, transport, clock = attached()
    train_steps(run, 3, clock)
    return run, transport, clock


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_command_is_an_error_and_changes_nothing(trained, case):
    run, transport, clock = trained
    kind, payload, expected = BAD[case]
    before = snapshot(run.model, run.optimizer)
    state = (run.state, run.batch_size, run.momentum, run.units.state(), len(run.commands.undo_stack))
    sent = len(transport.sent)
    command(transport, kind, payload, case)
    run._serve()
    answer = reply(transport, case)
    assert answer["type"] == "error" and expected in answer["payload"]["message"], answer
    assert "\n" not in answer["payload"]["message"]
    assert_identical(before, snapshot(run.model, run.optimizer))
    assert state == (run.state, run.batch_size, run.momentum, run.units.state(), len(run.commands.undo_stack))
    assert [m["type"] for m in transport.sent[sent:]] in (["error"], ["error", "snapshot"])


@pytest.mark.parametrize("message, expected", [
    ("not an object", "a message must be a JSON object, got the text 'not an object'"),
    ({"id": "x"}, "type must be a text, got null"),
    ({"type": "pause", "id": 5}, "id must be a text of at most 100 characters, got the number 5"),
    ({"type": "pause", "id": "x" * 101}, "id must be a text of at most 100 characters"),
    ({"type": "pause", "extra": 1}, "unknown field 'extra' in the message"),
    ({"type": "unreadable", "payload": {"why": "malformed JSON"}}, "cannot read the message: malformed JSON"),
])
def test_unreadable_messages_get_an_error_without_id(trained, message, expected):
    run, transport, clock = trained
    before = snapshot(run.model, run.optimizer)
    transport.push(message)
    run._serve()
    error = [m for m in transport.sent if m["type"] == "error"][-1]
    assert expected in error["payload"]["message"]
    assert "id" not in error or error["id"] == "x"
    assert_identical(before, snapshot(run.model, run.optimizer))
