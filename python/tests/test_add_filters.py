"""add_filters: shapes, function preservation (net2net, zero-out) and the random init's statistics."""
import math

import pytest
import torch

import revacnn
from models import FunctionalNet, TinyResNet, images, paper_model, untraceable_sequential

FUNCTION_PRESERVING = ["net2net", "zero-out"]


def outputs_after_growth(model, conv_name, init, count=3, size=16, **options):
    x = images(4, size=size)
    with torch.no_grad():
        before = model(x)
        revacnn.add_filters(model, None, conv_name, count, init=init, **options)
        return before, model(x)


@pytest.mark.parametrize("init", FUNCTION_PRESERVING)
@pytest.mark.parametrize("conv_name, consumer_name", [("0", "3"), ("3", "6"), ("6", "10")])
def test_paper_model_function_is_preserved(init, conv_name, consumer_name):
    torch.manual_seed(0)
    model = paper_model().eval()
    old = model.get_submodule(conv_name).out_channels
    before, after = outputs_after_growth(model, conv_name, init, size=32)
    assert torch.allclose(before, after, rtol=0, atol=1e-5)
    conv, consumer = model.get_submodule(conv_name), model.get_submodule(consumer_name)
    assert conv.out_channels == old + 3 and conv.weight.shape[0] == old + 3 and conv.bias.shape == (old + 3,)
    if isinstance(consumer, torch.nn.Linear):
        assert consumer.in_features == consumer.weight.shape[1] == (old + 3) * 16
    else:
        assert consumer.in_channels == consumer.weight.shape[1] == old + 3


@pytest.mark.parametrize("init", FUNCTION_PRESERVING)
@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("conv_name", ["layer1.0.conv1", "layer1.1.conv1"])
def test_resnet_inner_conv_with_batchnorm_function_is_preserved(init, mode, conv_name):
    torch.manual_seed(0)
    model = TinyResNet()
    with torch.no_grad():  # non-trivial running statistics and affine parameters
        for _ in range(3):
            model(images(8, size=16))
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
    getattr(model, mode)()
    block = model.get_submodule(conv_name.rsplit(".", 1)[0])
    old = block.conv1.out_channels
    before, after = outputs_after_growth(model, conv_name, init)
    assert torch.allclose(before, after, rtol=0, atol=1e-5)
    for tensor in (block.bn1.weight, block.bn1.bias, block.bn1.running_mean, block.bn1.running_var):
        assert tensor.shape == (old + 3,)
    assert block.bn1.num_features == old + 3 and block.conv2.in_channels == old + 3


@pytest.mark.parametrize("init", FUNCTION_PRESERVING)
@pytest.mark.parametrize("conv_name", ["conv1", "conv2"])
def test_functional_forward_is_traced(init, conv_name):
    torch.manual_seed(0)
    model = FunctionalNet().eval()
    before, after = outputs_after_growth(model, conv_name, init)
    assert torch.allclose(before, after, rtol=0, atol=1e-5)
    assert model.fc.in_features == (5 + 3 if conv_name == "conv2" else 5) * 16


@pytest.mark.parametrize("conv_name, consumer_name", [("1", "5"), ("5", "9")])
def test_untraceable_sequential_is_walked_in_order(conv_name, consumer_name):
    torch.manual_seed(0)
    model = untraceable_sequential().eval()
    with pytest.raises(Exception):
        torch.fx.symbolic_trace(model)  # so the fallback is what runs
    before, after = outputs_after_growth(model, conv_name, "net2net", count=2)
    assert torch.allclose(before, after, rtol=0, atol=1e-5)
    assert model[2].num_features == model[1].out_channels


def test_net2net_copies_the_source_and_splits_its_outgoing_weights():
    torch.manual_seed(0)
    model = paper_model()
    conv, consumer = model[3], model[6]
    weight, bias, outgoing = conv.weight.detach().clone(), conv.bias.detach().clone(), consumer.weight.detach().clone()
    added = revacnn.add_filters(model, None, "3", 2, init="net2net", source=7)
    assert added == [20, 21]
    for f in added:
        assert torch.equal(conv.weight[f], weight[7]) and conv.bias[f] == bias[7]
        assert torch.equal(consumer.weight[:, f], outgoing[:, 7] / 3)
    assert torch.equal(consumer.weight[:, 7], outgoing[:, 7] / 3)
    assert torch.equal(conv.weight[:20], weight) and torch.equal(consumer.weight[:, :7], outgoing[:, :7])


def test_net2net_default_source_has_the_largest_mean_gradient():
    torch.manual_seed(0)
    model = paper_model()
    conv = model[3]
    conv.weight.grad = torch.zeros_like(conv.weight)
    conv.weight.grad[11] = -0.5  # |g| counts
    conv.weight.grad[4] = 0.4
    revacnn.add_filters(model, None, "3", 1, init="net2net")
    assert torch.equal(conv.weight[20], conv.weight[11])


def test_net2net_noise_breaks_symmetry_slightly():
    torch.manual_seed(0)
    model = paper_model().eval()
    before, after = outputs_after_growth(model, "3", "net2net", count=1, size=32, source=2, noise=0.05)
    copy, source = model[3].weight[20], model[3].weight[2]
    assert not torch.equal(copy, source)
    relative = ((copy - source).pow(2).mean().sqrt() / source.pow(2).mean().sqrt()).item()
    assert 0.02 < relative < 0.1
    assert not torch.equal(before, after) and torch.allclose(before, after, rtol=0, atol=0.1)


def test_random_is_he_and_changes_the_function():
    torch.manual_seed(0)
    model = paper_model().eval()
    before, after = outputs_after_growth(model, "3", "random", count=64, size=32)
    assert not torch.allclose(before, after)
    new = model[3].weight[20:]
    assert model[3].bias[20:].abs().max() == 0
    assert new.std().item() == pytest.approx(math.sqrt(2 / (16 * 25)), rel=0.05)
    outgoing = model[6].weight[:, 20:]
    assert outgoing.std().item() == pytest.approx(math.sqrt(2 / (84 * 25)), rel=0.05)


def test_generator_makes_growth_reproducible():
    grown = []
    for global_seed in (123, 456):  # only the given generator matters
        torch.manual_seed(0)
        model = paper_model()
        torch.manual_seed(global_seed)
        revacnn.add_filters(model, None, "0", 2, init="zero-out", generator=torch.Generator().manual_seed(5))
        grown.append(model[0].weight[16:].detach().clone())
    assert torch.equal(grown[0], grown[1])
