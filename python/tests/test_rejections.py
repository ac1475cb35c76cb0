"""Every bad command raises one SteeringError with a one-line "cannot ..." message and leaves the
model and the optimiser bit-identical: values, gradients, buffers, state, groups, configuration."""
import pytest
import torch
from torch import nn

import revacnn
from models import ConcatNet, TinyResNet, assert_identical, images, labels, paper_model, snapshot, train

add, remove = revacnn.add_filters, revacnn.remove_filters
insert, remove_layer = revacnn.insert_identity_conv, revacnn.remove_layer

PAPER_COMMANDS = {
    "unknown layer": (lambda m, o: add(m, o, "conv9", 1), "unknown layer 'conv9'; layers are 0, 1, 2"),
    "relu is not a conv": (lambda m, o: add(m, o, "1", 1), "it is a ReLU, not an nn.Conv2d"),
    "linear is not a conv": (lambda m, o: remove(m, o, "10", [0]), "it is a Linear, not an nn.Conv2d"),
    "count 0": (lambda m, o: add(m, o, "3", 0), "count must be in 1..1024, got 0"),
    "count negative": (lambda m, o: add(m, o, "3", -2), "count must be in 1..1024"),
    "count huge": (lambda m, o: add(m, o, "3", 10**9), "count must be in 1..1024"),
    "count float": (lambda m, o: add(m, o, "3", 2.0), "count must be in 1..1024"),
    "count bool": (lambda m, o: add(m, o, "3", True), "count must be in 1..1024"),
    "unknown init": (lambda m, o: add(m, o, "3", 1, init="xavier"), "unknown init 'xavier'"),
    "noise too large": (lambda m, o: add(m, o, "3", 1, init="net2net", noise=2.0), "noise must be in 0..1.0"),
    "noise not a number": (lambda m, o: add(m, o, "3", 1, init="net2net", noise=float("nan")), "noise must be"),
    "noise without net2net": (lambda m, o: add(m, o, "3", 1, noise=0.1), "apply to net2net only"),
    "source without net2net": (lambda m, o: add(m, o, "3", 1, init="zero-out", source=0), "apply to net2net only"),
    "source out of range": (lambda m, o: add(m, o, "3", 1, init="net2net", source=20), "source 20 is not a filter"),
    "no indices": (lambda m, o: remove(m, o, "3", []), "give a non-empty list of filter indices"),
    "indices not a list": (lambda m, o: remove(m, o, "3", 4), "give a non-empty list"),
    "index out of range": (lambda m, o: remove(m, o, "3", [2, 20]), "20 is not a filter index of 3 (0..19)"),
    "negative index": (lambda m, o: remove(m, o, "3", [-1]), "-1 is not a filter index"),
    "index listed twice": (lambda m, o: remove(m, o, "3", [4, 2, 4]), "4 is listed twice"),
    "remove every filter": (lambda m, o: remove(m, o, "0", list(range(16))), "remove all 16 of its filters"),
    "insert after unknown": (lambda m, o: insert(m, o, "4.1"), "unknown layer '4.1'"),
    "insert after linear": (lambda m, o: insert(m, o, "10"), "not a known image tensor (10 is a Linear)"),
    "insert after flatten": (lambda m, o: insert(m, o, "9"), "not a known image tensor (9 is a Flatten)"),
    "insert even kernel": (lambda m, o: insert(m, o, "3", kernel_size=2), "kernel size must be odd"),
    "insert zero kernel": (lambda m, o: insert(m, o, "3", kernel_size=0), "kernel size must be odd"),
    "insert taken name": (lambda m, o: insert(m, o, "3", name="4"), "'4' is not a free layer name"),
    "insert dotted name": (lambda m, o: insert(m, o, "3", name="a.b"), "is not a free layer name"),
    "remove pool": (lambda m, o: remove_layer(m, o, "2"), "it is a MaxPool2d, which changes the image size"),
    "remove widening conv": (lambda m, o: remove_layer(m, o, "3"), "it maps 16 channels to 20"),
    "remove flatten": (lambda m, o: remove_layer(m, o, "9"), "Flatten, which changes the tensor's shape"),
    "remove classifier": (lambda m, o: remove_layer(m, o, "10"), "it maps 320 features to 10"),
    "remove unknown": (lambda m, o: remove_layer(m, o, ""), "unknown layer ''"),
}

RESNET_COMMANDS = {
    "residual add": (lambda m, o: add(m, o, "layer1.0.conv2", 2, init="zero-out"), "residual addition"),
    "residual remove": (lambda m, o: remove(m, o, "layer1.1.downsample.0", [1]), "residual addition"),
    "stem feeds a residual": (lambda m, o: add(m, o, "conv1", 1), "residual addition"),
    "remove from a block": (lambda m, o: remove_layer(m, o, "layer1.0.bn1"), "not a child of an nn.Sequential"),
    "insert into a block": (lambda m, o: insert(m, o, "layer1.0.conv1"), "its parent is a BasicBlock"),
    "remove a block": (lambda m, o: remove_layer(m, o, "layer1.0"), "it is a container (BasicBlock)"),
}


def trained(model, size):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train(model, optimizer, images(4, size=size), labels(4), 2)
    return model, optimizer


def check_refused(model, optimizer, command, message):
    before = snapshot(model, optimizer)
    with pytest.raises(revacnn.SteeringError) as refused:
        command(model, optimizer)
    text = str(refused.value)
    assert text.startswith("cannot ") and "\n" not in text
    assert message in text
    assert_identical(before, snapshot(model, optimizer))


@pytest.mark.parametrize("case", PAPER_COMMANDS)
def test_bad_command_on_the_paper_model_changes_nothing(case):
    torch.manual_seed(0)
    model, optimizer = trained(paper_model(), 32)
    check_refused(model, optimizer, *PAPER_COMMANDS[case])


@pytest.mark.parametrize("case", RESNET_COMMANDS)
def test_bad_command_on_a_resnet_changes_nothing(case):
    torch.manual_seed(0)
    model, optimizer = trained(TinyResNet(), 16)
    check_refused(model, optimizer, *RESNET_COMMANDS[case])


def test_frozen_consumer():
    torch.manual_seed(0)
    model, optimizer = trained(paper_model(), 32)
    model[6].requires_grad_(False)
    check_refused(model, optimizer, lambda m, o: add(m, o, "3", 1), "it would grow frozen layer 6")
    revacnn.remove_filters(model, optimizer, "3", [0])  # shrinking a frozen layer is allowed
    assert model[6].in_channels == 19


def test_concatenation_is_refused():
    model = ConcatNet()
    check_refused(model, None, lambda m, o: add(m, o, "conv", 1), "its output reaches cat (cat)")


def test_width_cap():
    model = nn.Sequential(nn.Conv2d(3, 4000, 1), nn.ReLU(), nn.Conv2d(4000, 2, 1))
    check_refused(model, None, lambda m, o: add(m, o, "0", 100), "it has 4000 filters and a layer may have at most 4096")


def test_model_output_is_refused():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 3))
    check_refused(model, None, lambda m, o: add(m, o, "2", 1), "its output is the model's output")
