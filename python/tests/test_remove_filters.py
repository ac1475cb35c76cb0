"""remove_filters: survivors keep their outputs; the model equals the old one with the removed
filters' outgoing weights zeroed."""
import copy

import pytest
import torch

import revacnn
from models import TinyResNet, images, paper_model
from revacnn.remap import channel_blocks


def zero_outgoing(model, consumer_name, channels, removed):
    """A copy of `model` whose consumer ignores the removed channels: the reference output."""
    reference = copy.deepcopy(model)
    weight = reference.get_submodule(consumer_name).weight
    with torch.no_grad():
        channel_blocks(weight, channels)[:, removed] = 0
    return reference


@pytest.mark.parametrize("model_kind, conv_name, consumer_name, size", [
    ("paper", "0", "3", 32), ("paper", "3", "6", 32), ("paper", "6", "10", 32),
    ("resnet", "layer1.0.conv1", "layer1.0.conv2", 16)])
def test_survivors_keep_their_outputs(model_kind, conv_name, consumer_name, size):
    torch.manual_seed(0)
    model = (paper_model() if model_kind == "paper" else TinyResNet()).eval()
    conv = model.get_submodule(conv_name)
    old = conv.out_channels
    removed = [0, 5, old - 1]
    survivors = [f for f in range(old) if f not in removed]
    reference = zero_outgoing(model, consumer_name, old, removed)
    x = images(3, size=size)
    seen = {}
    conv.register_forward_hook(lambda module, inputs, output: seen.__setitem__("out", output))
    with torch.no_grad():
        model(x)
        conv_before = seen["out"][:, survivors]
        revacnn.remove_filters(model, None, conv_name, removed)
        after = model(x)
        assert torch.equal(seen["out"], conv_before)
        assert torch.allclose(after, reference(x), rtol=0, atol=1e-5)
    assert conv.out_channels == conv.weight.shape[0] == old - 3
