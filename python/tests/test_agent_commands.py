"""Commands sent to an attached run are applied between steps, answered with acks, and followed by
architecture messages and a snapshot; undo restores exactly; optimizer switches keep training."""
import os

import pytest
import torch

import revacnn

from agent_harness import attached, command, dataset, floats, reply, train_steps
from models import assert_identical, snapshot


def test_step_budget_then_pause_and_hyperparameters():
    run, transport, clock = attached()
    command(transport, "set-hyperparameters", {"learningRate": 0.02, "momentum": 0.5, "weightDecay": 1e-4}, "h")
    train_steps(run, 1, clock)
    ack = reply(transport, "h")
    assert ack == {"type": "ack", "id": "h", "payload": {"changes": {
        "learningRate": {"from": 0.01, "to": 0.02}, "momentum": {"from": 0.9, "to": 0.5},
        "weightDecay": {"from": 0, "to": 1e-4}}}}
    assert all(g["lr"] == 0.02 and g["momentum"] == 0.5 and g["weight_decay"] == 1e-4 for g in run.optimizer.param_groups)
    command(transport, "set-hyperparameters", {"learningRate": 0.02}, "same")
    command(transport, "step", {"batches": 3}, "s")
    train_steps(run, 1, clock)
    assert reply(transport, "same")["payload"] == {"changes": {}, "message": "nothing changed: the values are the current ones"}
    assert reply(transport, "s")["payload"] == {"changes": {"batches": 3}}
    # three more batches, then the run pauses: run.step blocks; a scripted resume arrives while it waits
    original_sleep = run._sleep
    waited = []

    def sleep_then_resume(seconds):
        waited.append(run.step_count)
        if len(waited) == 3:
            command(transport, "resume", None, "r")
    run._sleep = sleep_then_resume
    train_steps(run, 3, clock)
    run._sleep = original_sleep
    assert waited == [5, 5, 5] and run.state == "running"
    assert reply(transport, "r")["payload"] == {"changes": {"state": "running"}}
    states = [s["payload"]["state"] for s in transport.of_type("snapshot")]
    assert "paused" in states and states[-1] == "running"


def test_pause_blocks_the_loop_until_resume_from_another_thread():
    import threading
    run, transport, clock = attached()
    command(transport, "pause", {}, "p")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (train_steps(run, 2, clock), done.set()), daemon=True)
    worker.start()
    assert transport.wait_for(lambda m: m.get("id") == "p", 10)["payload"] == {"changes": {"state": "paused"}}
    assert not done.wait(0.3) and run.step_count == 1  # blocked inside the first run.step
    command(transport, "pause", {}, "p2")
    assert transport.wait_for(lambda m: m.get("id") == "p2", 10)["payload"]["message"] == "nothing changed: already paused"
    command(transport, "resume", {}, "r")
    assert done.wait(10)
    worker.join(10)
    assert run.step_count == 2


def test_batch_size_change_is_followed_by_batches():
    run, transport, clock = attached()
    sizes = []
    command(transport, "set-hyperparameters", {"batchSize": 4}, "same")
    for i, (x, y) in enumerate(run.batches(dataset(64))):
        sizes.append(len(x))
        if i == 1:
            command(transport, "set-hyperparameters", {"batchSize": 16}, "b")
        out = run.model(x)
        loss = torch.nn.functional.cross_entropy(out, y)
        run.step(loss, out, y)
    assert sizes == [4, 4, 16, 16, 16, 8]  # 64 images: 4 + 4 + 16 * 3 + the rest
    assert reply(transport, "b")["payload"]["changes"] == {"batchSize": {"from": 4, "to": 16}}
    assert transport.of_type("snapshot")[-1]["payload"]["hyperparameters"]["batchSize"] == 16


def test_surgery_commands_with_acks_architecture_and_stable_ids():
    run, transport, clock = attached()
    train_steps(run, 2, clock)
    command(transport, "add-filters", {"layer": "3", "count": 2, "init": "net2net", "source": "3/f4"}, "a")
    train_steps(run, 1, clock)
    ack = reply(transport, "a")["payload"]["changes"]
    assert ack["addedFilters"] == ["3/f20", "3/f21"] and run.model[3].out_channels == 22
    command(transport, "remove-filters", {"layer": "3", "filters": ["3/f0", "3/f21"]}, "rm")
    train_steps(run, 1, clock)
    assert reply(transport, "rm")["payload"]["changes"]["removedFilters"] == ["3/f0", "3/f21"]
    architecture = transport.of_type("architecture")[-1]["payload"]
    conv2 = next(l for l in architecture["layers"] if l["id"] == "3")
    assert conv2["unitIds"][0] == "3/f1" and conv2["unitIds"][-1] == "3/f20" and conv2["nextUnitNumber"] == 22
    assert architecture["ranks"][0]["checksum"] != transport.sent[0]["payload"]["ranks"][0]["checksum"]
    command(transport, "insert-layer", {"after": "4", "kind": "conv", "filters": 20, "kernelSize": 3}, "i")
    train_steps(run, 1, clock)
    assert reply(transport, "i")["payload"]["changes"]["addedLayers"] == ["inserted_conv1"]
    command(transport, "remove-layer", {"layer": "inserted_conv1"}, "rl")
    command(transport, "unfreeze", {"layer": "0"}, "u")
    train_steps(run, 1, clock)
    assert reply(transport, "rl")["payload"]["changes"]["removedLayers"] == ["inserted_conv1"]
    assert reply(transport, "u")["payload"]["message"] == "nothing changed: already trainable"
    ids = [l["id"] for l in transport.of_type("architecture")[-1]["payload"]["layers"]]
    assert ids == [str(i) for i in range(11)]
    # every ack came before the snapshot that shows it, and after the architecture message
    types = [m["type"] for m in transport.sent]
    at = types.index("ack", types.index("architecture"))
    assert types[at - 1] == "architecture" and "snapshot" in types[at:]


def test_undo_restores_model_optimizer_and_ids_exactly():
    run, transport, clock = attached()
    train_steps(run, 3, clock)
    before = snapshot(run.model, run.optimizer)
    command(transport, "add-filters", {"layer": "3", "count": 3, "init": "random"}, "a")
    command(transport, "insert-layer", {"after": "5", "kind": "conv"}, "i")
    command(transport, "undo", {}, "u1")
    command(transport, "undo", {}, "u2")
    command(transport, "undo", {}, "u3")
    train_steps(run, 1, clock, data=dataset(4, seed=30))
    after_undo = [m for m in transport.sent if m.get("id") in ("u1", "u2", "u3")]
    assert after_undo[0]["payload"]["changes"]["undone"] == "insert an identity conv inserted_conv1 after 5"
    assert after_undo[1]["payload"]["changes"]["undone"] == "add 3 filters to 3 (random) (3/f20, 3/f21, 3/f22)"
    assert after_undo[2] == {"type": "error", "id": "u3",
                             "payload": {"message": "cannot undo: there is no structural change to undo"}}
    # the commands ran before that step's training, so compare with a twin trained the same way
    twin, twin_transport, twin_clock = attached()
    train_steps(twin, 3, twin_clock)
    assert_identical(values(before), values(snapshot(twin.model, twin.optimizer)))
    train_steps(twin, 1, twin_clock, data=dataset(4, seed=30))
    after = snapshot(run.model, run.optimizer)
    assert_identical(values(snapshot(twin.model, twin.optimizer)), values(after))
    assert {k: v for k, v in before.items() if k not in values(before)} == \
        {k: v for k, v in after.items() if k not in values(after)}  # the same parameter objects
    names = [l["id"] for l in transport.of_type("architecture")[-1]["payload"]["layers"]]
    assert names == [str(i) for i in range(11)] and run.units.next["3"] == 20


def values(shot):
    """A snapshot without the object identities, to compare two models."""
    return {k: v for k, v in shot.items() if not k.startswith("param object") and not k.endswith(" params")}


def test_undo_right_after_a_change_is_bit_identical():
    run, transport, clock = attached()
    train_steps(run, 3, clock)
    before = snapshot(run.model, run.optimizer)
    run.commands.apply("remove-filters", {"layer": "0", "filters": ["0/f3"]})
    run.commands.apply("undo", {})
    assert_identical(before, snapshot(run.model, run.optimizer))


@pytest.mark.parametrize("start, switches", [("sgd", ["adam", "adadelta", "sgd"]), ("adam", ["adadelta"])])
def test_optimizer_switch_in_place_keeps_training(start, switches):
    run, transport, clock = attached(optimizer_kind=start)
    optimizer = run.optimizer
    data = dataset(8, seed=40)
    train_steps(run, 5, clock, data=data)
    for n, kind in enumerate(switches):
        command(transport, "set-hyperparameters", {"optimizer": kind}, f"o{n}")
        first = train_steps(run, 1, clock, data=data)
        losses = first + train_steps(run, 30, clock, data=data)
        assert type(optimizer).__name__.lower() == kind and run.optimizer is optimizer
        assert sum(losses[-5:]) < sum(losses[:5]), (kind, losses)
        assert all(l == l for l in losses)
    changes = reply(transport, "o0")["payload"]["changes"]
    assert changes["optimizer"]["to"] == switches[0]
    assert changes["learningRate"]["to"] == {"sgd": 0.002, "adam": 0.001, "adadelta": 1.0}[switches[0]]


def test_adam_to_adadelta_carries_the_bias_corrected_second_moment():
    run, transport, clock = attached(optimizer_kind="adam")
    train_steps(run, 4, clock)
    weight = run.model[0].weight
    v = run.optimizer.state[weight]["exp_avg_sq"].clone()
    run.commands.apply("set-hyperparameters", {"optimizer": "adadelta"})
    carried = run.optimizer.state[weight]["square_avg"]
    assert torch.allclose(carried, v / (1 - 0.999 ** 4))
    assert torch.equal(run.optimizer.state[weight]["acc_delta"], torch.zeros_like(weight))


def test_save_checkpoint_atomically_into_the_servers_folder(tmp_path):
    run, transport, clock = attached()
    train_steps(run, 2, clock)
    folder = str(tmp_path / "checkpoints")
    command(transport, "save-checkpoint", {"folder": folder}, "c1")
    command(transport, "save-checkpoint", {"folder": folder, "name": "mine"}, "c2")
    command(transport, "save-checkpoint", {"folder": folder, "name": "mine"}, "c3")
    command(transport, "save-checkpoint", {"folder": folder, "name": "mine.ckpt", "overwrite": True}, "c4")
    train_steps(run, 1, clock)
    assert reply(transport, "c1")["payload"]["changes"] == {"file": "step3.ckpt", "folder": folder}
    assert reply(transport, "c2")["payload"]["changes"]["file"] == "mine.ckpt"
    assert "mine.ckpt exists" in reply(transport, "c3")["payload"]["message"]
    assert reply(transport, "c4")["type"] == "ack"
    assert sorted(os.listdir(folder)) == ["mine.ckpt", "step3.ckpt"]  # no temporary file left
    saved = torch.load(os.path.join(folder, "mine.ckpt"))
    assert all(torch.equal(saved["model"][k], v) for k, v in run.model.state_dict().items())
    assert saved["step"] == 3 and saved["optimizerKind"] == "sgd"


def test_vectors_on_demand():
    run, transport, clock = attached()
    train_steps(run, 2, clock)
    command(transport, "vectors", {"layer": "3", "kind": "weights"}, "v1")
    command(transport, "vectors", {"layer": "6", "kind": "activation-gradients"}, "v2")
    command(transport, "vectors", {"layer": "1"}, "v3")
    train_steps(run, 1, clock)
    weights = reply(transport, "v1")["payload"]
    assert weights["ids"][:2] == ["3/f0", "3/f1"] and len(weights["vectors"]) == 20
    assert len(floats(weights["vectors"][0])) == 16 * 25
    gradients = reply(transport, "v2")["payload"]
    assert len(gradients["vectors"]) == 20
    assert len(floats(gradients["vectors"][0])) == 8 * 8
    assert any(v != 0 for row in gradients["vectors"] for v in floats(row))
    assert "only conv and dense layers have filters" in reply(transport, "v3")["payload"]["message"]


def test_a_checksums_request_measures_the_weights_now():
    run, transport, clock = attached()
    before = revacnn.weights_checksum(run.model)
    train_steps(run, 2, clock)
    command(transport, "checksums", None, "k1")
    train_steps(run, 1, clock)
    answer = reply(transport, "k1")
    assert answer["type"] == "checksums"
    # taken at the step boundary where the request arrived: the weights as they are now, after 3 steps
    assert answer["payload"]["ranks"] == [{"rank": 0, "checksum": revacnn.weights_checksum(run.model)}]
    assert answer["payload"]["ranks"][0]["checksum"] != before
