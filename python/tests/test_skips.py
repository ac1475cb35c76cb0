"""The skips describe() lists for the network view: one per BasicBlock/Bottleneck-style block, from the
layer before the block to the block's last main-path conv, identity or 1x1 projection."""
import torch

import revacnn
from models import TinyResNet, images, paper_model
from revacnn.architecture import UnitNumbers, describe
from test_example import example_module


def described(model, size=32):
    return describe(model, images(1, size=size), UnitNumbers(model))


def test_cifar_resnet18_has_eight_skips_three_of_them_projections():
    torch.manual_seed(0)
    model = example_module().resnet18()
    architecture = described(model)
    skips = architecture["skips"]
    assert [s["block"] for s in skips] == [f"layer{stage}.{block}" for stage in range(1, 5) for block in range(2)]
    assert [s["block"] for s in skips if s["shortcut"] == "projection"] == ["layer2.0", "layer3.0", "layer4.0"]
    assert [s["projection"] for s in skips] == [None, None, "layer2.0.downsample.0", None, "layer3.0.downsample.0", None,
                                                "layer4.0.downsample.0", None]
    # each skip leaves from the previous block's last conv (the stem for the first) and lands on its own conv2
    previous = ["conv1"] + [s["to"] for s in skips[:-1]]
    assert [s["from"] for s in skips] == previous
    assert [s["to"] for s in skips] == [f"{s['block']}.conv2" for s in skips]
    ids = [layer["id"] for layer in architecture["layers"]]
    for s in skips:
        assert ids.index(s["from"]) < ids.index(s["to"])
        assert s["projection"] is None or architecture["layers"][ids.index(s["projection"])]["kernelSize"] == 1


def test_a_block_whose_shortcut_runs_first_still_leaves_from_the_layer_before_it():
    torch.manual_seed(0)
    skips = described(TinyResNet(), size=16)["skips"]
    assert skips == [
        {"block": "layer1.0", "from": "conv1", "to": "layer1.0.conv2", "shortcut": "identity", "projection": None},
        {"block": "layer1.1", "from": "layer1.0.conv2", "to": "layer1.1.conv2", "shortcut": "projection",
         "projection": "layer1.1.downsample.0"}]


def test_a_plain_model_has_none():
    assert described(paper_model())["skips"] == []


def test_the_hello_carries_the_skips():
    model = TinyResNet()
    transport = revacnn.MemoryTransport()
    revacnn.attach(model, torch.optim.SGD(model.parameters(), lr=0.1), transport=transport, probe=images(1)[0])
    hello = transport.sent[0]
    assert [s["block"] for s in hello["payload"]["architecture"]["skips"]] == ["layer1.0", "layer1.1"]
