"""DDP: two gloo processes on the CPU train the paper's model under DistributedDataParallel, attached
with rank 0 talking to a scripted server. Every command reaches both ranks at the same step; after
every one the ranks' weight checksums (taken before DDP's rebuild, which would copy rank 0's weights)
agree, the ranks' optimizer state and filter numbers agree, and training goes on."""
import json

import pytest
import torch.multiprocessing as mp

from ddp_worker import LOST, finite, run_rank

pytestmark = pytest.mark.skipif(not __import__("torch").distributed.is_gloo_available(), reason="no gloo backend")


def command(type_, message_id, **payload):
    return [{"type": type_, "id": message_id, "payload": payload}]


def train_two_ranks(tmp_path, script, steps, seed_by_rank=False, bad_only=False, perturb_at=-1):
    mp.spawn(run_rank, args=(str(tmp_path), script, steps, seed_by_rank, bad_only, perturb_at),
             nprocs=2, join=True)
    return [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]


def replies(sent):
    return {m["id"]: m for m in sent if m["type"] in ("ack", "error") and "id" in m}


def assert_ranks_agree(ranks):
    assert [r["rank"] for r in ranks] == [0, 1]
    assert ranks[0]["checksum"] == ranks[1]["checksum"]


STEERING = [
    [], command("add-filters", "grow-random", layer="3", count=2, init="random"),
    [], command("add-filters", "grow-net2net", layer="0", count=2, init="net2net"),
    [], command("remove-filters", "shrink", layer="3", filters=["3/f0", "3/f21"]),
    [], command("insert-layer", "insert", after="4", kind="conv"),
    [], command("set-hyperparameters", "hyper", learningRate=0.02, momentum=0.5, batchSize=3),
    [], command("freeze", "freeze", layer="0"),
    [], command("remove-layer", "remove", layer="inserted_conv1"),
    [], command("undo", "undo"),
    command("unfreeze", "unfreeze", layer="0"),
    command("pause", "pause"), [], [], command("step", "step", batches=2),  # paused for 2 polls, then 2 steps
    [], [], [], command("resume", "resume"),  # paused again after the 2 steps, until resumed
]


def test_every_command_reaches_both_ranks_at_the_same_step_and_their_weights_agree(tmp_path):
    # the ranks' own seeds differ: random filters must come from the seed rank 0 shares with the command
    rank0, rank1 = train_two_ranks(tmp_path, STEERING, steps=24, seed_by_rank=True)
    sent = rank0["sent"]
    hello = sent[0]["payload"]
    assert hello["worldSize"] == 2
    assert_ranks_agree(hello["ranks"])

    answers = replies(sent)
    ids = [m[0]["id"] for m in STEERING if m]
    assert sorted(answers) == sorted(ids)
    for message_id in ids:
        assert answers[message_id]["type"] == "ack", answers[message_id]
        assert_ranks_agree(answers[message_id]["payload"]["ranks"])
    assert answers["grow-random"]["payload"]["changes"]["addedFilters"] == ["3/f20", "3/f21"]
    architectures = [m for m in sent if m["type"] == "architecture"]
    assert len(architectures) == 8  # 4 surgeries, freeze, remove, undo, unfreeze
    for architecture in architectures:
        assert_ranks_agree(architecture["payload"]["ranks"])
    assert "inserted_conv1" in [layer["id"] for layer in architectures[-1]["payload"]["layers"]]
    assert not [m for m in sent if m["type"] == "error"]

    # both ranks took the same steps, with the same filter numbers, batch sizes and optimizer state
    assert [s.pop("loss") for s in rank0["steps"]] and [s.pop("loss") for s in rank1["steps"]]
    assert rank0["steps"] == rank1["steps"]
    assert all(s["wrapped"] for s in rank1["steps"])
    assert [s["step"] for s in rank0["steps"]] == list(range(1, 25))
    assert rank0["steps"][-1]["batch"] == 3
    snapshots = [m["payload"] for m in sent if m["type"] == "snapshot"]
    assert all(finite(s["loss"]) for s in snapshots if s["loss"] is not None)
    assert finite(snapshots[-1]["loss"]) and snapshots[-1]["step"] == 24
    assert snapshots[-1]["examplesSeen"] == sum(2 * s["batch"] for s in rank0["steps"])  # both ranks' examples
    assert sent[-1] == {"type": "bye", "payload": {"reason": "finished", "step": 24}}


BAD = [
    command("add-filters", "relu", layer="1", count=2),
    command("add-filters", "none", layer="3", count=0),
    command("add-filters", "noise", layer="3", count=2, init="random", noise=0.1),
    command("remove-filters", "all", layer="0", filters=[f"0/f{i}" for i in range(16)]),
    command("remove-filters", "unknown-filter", layer="3", filters=["3/f99"]),
    command("insert-layer", "dense", after="3", kind="dense"),
    command("remove-layer", "first", layer="0"),
    command("undo", "nothing-to-undo"),
    command("set-hyperparameters", "negative", learningRate=-1.0),
    command("freeze", "relu-freeze", layer="1"),
    command("step", "zero-steps", batches=0),
    command("explode", "unknown"),
]


def test_a_bad_command_is_refused_on_every_rank_and_changes_nothing_and_ranks_that_differ_are_reported(tmp_path):
    # each rank asserts that its model and optimizer are bit-identical across every run.step;
    # at the last step rank 1 nudges one of its weights, and rank 0 must say that the ranks differ
    script = BAD + [command("remove-layer", "last", layer="9")]
    rank0, rank1 = train_two_ranks(tmp_path, script, steps=len(script), bad_only=True, perturb_at=len(BAD))
    answers = replies(rank0["sent"])
    assert sorted(answers) == sorted(m[0]["id"] for m in script)
    for message_id, answer in answers.items():
        assert answer["type"] == "error" and answer["payload"]["message"], message_id
        if message_id not in ("unknown", "last"):  # an unreadable message never reaches a command
            assert_ranks_agree(answer["payload"]["ranks"])
    for s in rank0["steps"] + rank1["steps"]:
        assert finite(s.pop("loss"))
    assert rank0["steps"] == rank1["steps"]

    ranks = answers["last"]["payload"]["ranks"]
    assert ranks[0]["checksum"] != ranks[1]["checksum"]
    unanswered = [m for m in rank0["sent"] if m["type"] == "error" and "id" not in m]
    assert len(unanswered) == 1
    assert unanswered[0]["payload"]["message"].startswith("the ranks hold different weights after remove-layer (last)")


def test_when_rank_0_loses_the_server_every_rank_trains_on_unattached(tmp_path):
    # `step 2` ends in a pause at step 4, the very step rank 0 finds the server gone: no rank may
    # stay paused, and no rank may start a snapshot (a collective) that the other skips
    script = [[], command("step", "s", batches=2), [], LOST]
    rank0, rank1 = train_two_ranks(tmp_path, script, steps=8)
    for s in rank0["steps"] + rank1["steps"]:
        assert finite(s.pop("loss"))
    assert rank0["steps"] == rank1["steps"]
    assert [s["attached"] for s in rank0["steps"]] == [True] * 3 + [False] * 5
    assert {s["state"] for s in rank0["steps"]} == {"running"}
    assert [s["step"] for s in rank0["steps"]] == list(range(1, 9))
    sent = rank0["sent"]
    assert replies(sent)["s"]["type"] == "ack"
    assert max(m["payload"]["step"] for m in sent if m["type"] == "snapshot") == 3
    assert not [m for m in sent if m["type"] == "bye"]  # nothing is sent once the server is gone
