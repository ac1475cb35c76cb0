"""The hello and snapshots of an attached run: contents, rate limit, size, jitter of frozen layers."""
import json

import torch

import revacnn
from agent_harness import CLASS_NAMES, attached, command, floats, reply, train_steps


def test_hello_describes_the_run_and_its_layers():
    run, transport, _ = attached()
    hello = transport.sent[0]
    assert hello["type"] == "hello" and "id" not in hello
    payload = hello["payload"]
    assert payload["protocolVersion"] == 2 and payload["kind"] == "pytorch"
    assert payload["framework"] == f"torch {torch.__version__}" and payload["device"] == "cpu"
    assert payload["worldSize"] == 1
    assert payload["ranks"] == [{"rank": 0, "checksum": revacnn.weights_checksum(run.model)}]
    assert payload["classNames"] == CLASS_NAMES
    assert payload["hyperparameters"] == {"optimizer": "sgd", "learningRate": 0.01, "momentum": 0.9,
                                          "batchSize": 4, "weightDecay": 0}
    layers = {l["id"]: l for l in payload["architecture"]["layers"]}
    assert [l["id"] for l in payload["architecture"]["layers"]] == [str(i) for i in range(11)]
    conv1, conv2, linear = layers["0"], layers["3"], layers["10"]
    assert conv1["kind"] == "conv" and conv1["filters"] == 16 and conv1["kernelSize"] == 5
    assert conv1["outputShape"] == [16, 32, 32] and conv1["thumbnailChannels"] == 3
    assert conv1["unitIds"][:2] == ["0/f0", "0/f1"] and conv1["nextUnitNumber"] == 16
    assert conv2["thumbnailChannels"] == 1 and conv2["outputShape"] == [20, 16, 16]
    assert "add-filters" not in conv2["refused"] and conv2["refused"]["remove-layer"] == "it maps 16 channels to 20"
    assert layers["2"]["kind"] == "pool" and layers["2"]["refused"]["freeze"] == "it has no parameters"
    assert linear["kind"] == "dense" and linear["outputShape"] == [10]
    assert "insert-layer" not in layers["4"]["refused"]
    assert "not a known image tensor" in linear["refused"]["insert-layer"]
    json.dumps(hello, allow_nan=False)


def test_residual_fed_conv_is_refused_with_the_reason_in_the_hello():
    from models import TinyResNet, images
    model = TinyResNet()
    transport = revacnn.MemoryTransport()
    revacnn.attach(model, torch.optim.SGD(model.parameters(), lr=0.1), transport=transport, probe=images(1)[0])
    layers = {l["id"]: l for l in transport.sent[0]["payload"]["architecture"]["layers"]}
    assert "residual addition" in layers["layer1.0.conv2"]["refused"]["add-filters"]
    assert "add-filters" not in layers["layer1.0.conv1"]["refused"]


def test_snapshots_are_rate_limited_by_the_wall_clock_and_small():
    run, transport, clock = attached()
    train_steps(run, 40, clock, seconds_per_step=0.01)  # 0.4 s of training: at most 1 + 4 snapshots
    snapshots = transport.of_type("snapshot")
    assert 4 <= len(snapshots) <= 5
    steps = [s["payload"]["step"] for s in snapshots]
    assert steps[0] == 1 and all(b - a >= 10 for a, b in zip(steps, steps[1:]))
    last = snapshots[-1]["payload"]
    assert len(json.dumps(snapshots[-1], allow_nan=False)) < 32 * 1024
    assert last["examplesSeen"] == 4 * last["step"] and last["state"] == "running"
    assert 0 < last["loss"] < 10 and 0 <= last["trainAccuracy"] <= 1
    assert abs(last["imagesPerSecond"] - 400) < 1  # 4 images per 0.01 s
    layers = {l["id"]: l for l in last["layers"]}
    assert set(layers) == {"0", "3", "6", "10"}
    conv1 = dict(layers["0"], **{key: floats(layers["0"][key]) for key in ("jitter", "activation", "thumbnails")})
    assert len(conv1["jitter"]) == 16 and len(conv1["activation"]) == 16
    assert conv1["thumbnailSize"] == 5 and len(conv1["thumbnails"]) == 16 * 3 * 25
    assert len(floats(layers["3"]["thumbnails"])) == 20 * 25 and floats(layers["10"]["thumbnails"]) == []
    assert any(j > 0 for j in conv1["jitter"])
    probabilities = floats(last["probe"]["probabilities"])
    assert len(probabilities) == 10 and abs(sum(probabilities) - 1) < 1e-2


def test_thumbnails_of_large_kernels_are_at_most_7x7():
    from torch import nn
    model = nn.Sequential(nn.Conv2d(3, 4, 11, padding=5), nn.ReLU(), nn.Conv2d(4, 2, 9, padding=4),
                          nn.Flatten(), nn.Linear(2 * 8 * 8, 10))
    transport = revacnn.MemoryTransport()
    run = revacnn.attach(model, torch.optim.SGD(model.parameters(), lr=0.1), transport=transport,
                         probe=torch.randn(3, 8, 8))
    run.step(torch.tensor(1.0))
    layers = {l["id"]: l for l in transport.of_type("snapshot")[0]["payload"]["layers"]}
    assert layers["0"]["thumbnailSize"] == 7 and len(floats(layers["0"]["thumbnails"])) == 4 * 3 * 49
    assert layers["2"]["thumbnailSize"] == 7 and layers["2"]["thumbnailChannels"] == 1


def test_jitter_is_zero_for_a_frozen_layer():
    run, transport, clock = attached()
    train_steps(run, 2, clock, 0.2)
    command(transport, "freeze", {"layer": "3"}, "f")
    train_steps(run, 3, clock, 0.2)
    assert reply(transport, "f")["type"] == "ack"
    layers = {l["id"]: l for l in transport.of_type("snapshot")[-1]["payload"]["layers"]}
    assert floats(layers["3"]["jitter"]) == [0.0] * 20 and any(j > 0 for j in floats(layers["0"]["jitter"]))
    architecture = transport.of_type("architecture")[-1]["payload"]
    assert next(l for l in architecture["layers"] if l["id"] == "3")["frozen"] is True


def test_the_hello_lists_the_commands_of_the_handler_table_and_every_readable_type_has_a_fate():
    from revacnn.commands import UNSUPPORTED, Commands
    from revacnn.messages import COMMANDS
    run, transport, _ = attached()
    listed = transport.sent[0]["payload"]["commands"]
    assert listed == sorted(Commands.HANDLERS) == [  # as docs/ENGINE.md shows them
        "add-filters", "freeze", "insert-layer", "pause", "remove-filters", "remove-layer", "resume",
        "save-checkpoint", "set-hyperparameters", "step", "undo", "unfreeze"]
    # a type the strict reader lets through is applied, refused with its reason, or a request
    assert set(COMMANDS) == set(Commands.HANDLERS) | set(UNSUPPORTED) | {"vectors", "checksums"}
    assert not set(Commands.HANDLERS) & set(UNSUPPORTED)
    for i, kind in enumerate(sorted(UNSUPPORTED)):
        command(transport, kind, {}, f"u{i}")
    train_steps(run, 1)
    for i, kind in enumerate(sorted(UNSUPPORTED)):
        assert reply(transport, f"u{i}")["payload"]["message"] == f"cannot {kind}: {UNSUPPORTED[kind]}"


def test_describing_the_architecture_traces_the_model_once(monkeypatch):
    import torch.fx
    from models import TinyResNet, images
    from revacnn.architecture import UnitNumbers, describe
    model = TinyResNet()
    traces = []
    trace = torch.fx.symbolic_trace
    monkeypatch.setattr(torch.fx, "symbolic_trace", lambda m: traces.append(m) or trace(m))
    architecture = describe(model, images(1), UnitNumbers(model))
    assert sum(l["kind"] == "conv" for l in architecture["layers"]) > 3 and traces == [model]


def test_snapshots_say_which_epoch_run_batches_is_reading():
    run, transport, clock = attached()
    train_steps(run, 20, clock, seconds_per_step=0.2)  # 64 images in batches of 4: 16 steps an epoch
    last = transport.of_type("snapshot")[-1]["payload"]
    assert last["step"] == 20
    assert last["epoch"] == 1 and last["epochProgress"] == 1.25


def test_snapshot_float_lists_are_base64_float32_exactly_and_keep_non_finite_values():
    from revacnn.statistics import encoded
    values = torch.tensor([0.123456, -98765.4, 1.0e-7 * 3.14159, 0.0, float("nan"), float("inf"), -float("inf")])
    decoded = floats(encoded(values))
    assert decoded[:4] == values[:4].tolist()  # float32 exactly, not rounded
    assert decoded[4] != decoded[4] and decoded[5:] == [float("inf"), -float("inf")]
    assert encoded(torch.tensor([1.0])) == "AACAPw==" and floats(encoded(torch.zeros(0))) == []


def test_costly_snapshots_come_less_often_so_monitoring_takes_at_most_one_percent():
    run, transport, clock = attached()
    snapshot = run._snapshot
    spent = []

    def costly(now, full):  # a full snapshot takes 10 ms of the run's clock, a light one 1 ms
        cost = 0.01 if full else 0.001
        clock.now += cost
        spent.append((now, cost))
        return snapshot(now, full)

    run._snapshot = costly
    train_steps(run, 800, clock, seconds_per_step=0.01)  # 8 s of training
    snapshots = [s["payload"] for s in transport.of_type("snapshot")]
    full = [s["step"] for s in snapshots if "probe" in s]
    light = [s for s in snapshots if "probe" not in s]
    # 1% once both costs are measured (their smoothed averages start at 0): the last 4 s
    assert sum(cost for at, cost in spent if at >= clock.now - 4) / 4 <= 0.011
    assert 4 <= len(full) <= 7 and full[-1] - full[-2] >= 150  # one per 2 s once measured (10 ms / 0.5%)
    assert 25 <= len(light) <= 40  # one per >= 0.2 s (1 ms / 0.5%): live jitter between the probe's updates
    assert all(set(l) == {"id", "jitter"} for s in light for l in s["layers"])
