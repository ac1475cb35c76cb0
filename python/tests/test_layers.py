"""insert_identity_conv preserves the function and trains; remove_layer takes out a layer that keeps shapes."""
import pytest
import torch

import revacnn
from models import images, labels, paper_model, snapshot, assert_identical, train


@pytest.mark.parametrize("after, kernel", [("3", 3), ("4", 5), ("2", 1), ("8", 3)])
def test_identity_conv_preserves_the_function(after, kernel):
    torch.manual_seed(0)
    model = paper_model().eval()
    x = images(3)
    with torch.no_grad():
        before = model(x)
        name = revacnn.insert_identity_conv(model, None, after, kernel_size=kernel)
        after_output = model(x)
    assert name == "inserted_conv1"
    conv = model.get_submodule(name)
    channels = {"3": 20, "4": 20, "2": 16, "8": 20}[after]
    assert conv.weight.shape == (channels, channels, kernel, kernel) and conv.padding == (kernel // 2,) * 2
    assert torch.allclose(before, after_output, rtol=0, atol=1e-6)
    keys = list(model._modules)
    assert keys[keys.index(after) + 1] == name
    assert [k for k in keys if k != name] == [str(i) for i in range(11)]  # the other names stay


def test_identity_conv_joins_the_optimizer_and_trains():
    torch.manual_seed(0)
    model = paper_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x, y = images(8), labels(8)
    train(model, optimizer, x, y, 2)
    name = revacnn.insert_identity_conv(model, optimizer, "3", name="deeper")
    conv = model.deeper
    assert name == "deeper" and len(optimizer.param_groups) == 2
    group = optimizer.param_groups[1]
    assert group["params"][0] is conv.weight and group["params"][1] is conv.bias
    assert {k: v for k, v in group.items() if k != "params"} == \
           {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
    identity = conv.weight.detach().clone()
    losses = train(model, optimizer, x, y, 25)
    assert losses[-1] < 0.7 * losses[0]
    assert not torch.equal(conv.weight, identity)


def test_insert_then_remove_restores_the_model():
    torch.manual_seed(0)
    model = paper_model()
    optimizer = torch.optim.Adam(model.parameters())
    train(model, optimizer, images(4), labels(4), 1)
    x = images(2)
    before_output = model(x)
    before = snapshot(model, optimizer)
    name = revacnn.insert_identity_conv(model, optimizer, "6")
    revacnn.remove_layer(model, optimizer, name)
    assert torch.equal(model(x), before_output)
    after = snapshot(model, optimizer)
    assert after.pop("group 1 params") == []  # the new group stays, empty, so schedulers keep their indices
    after.pop("group 1")
    assert_identical(before, after)


def test_remove_activation_and_optimizer_forgets_removed_parameters():
    torch.manual_seed(0)
    model = paper_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = images(4), labels(4)
    train(model, optimizer, x, y, 1)
    revacnn.remove_layer(model, optimizer, "1")
    assert "1" not in model._modules and model(x).shape == (4, 10)
    name = revacnn.insert_identity_conv(model, optimizer, "3")
    train(model, optimizer, x, y, 1)
    removed = model.get_submodule(name)
    revacnn.remove_layer(model, optimizer, name)
    params = [p for g in optimizer.param_groups for p in g["params"]]
    assert all(p is not removed.weight and p is not removed.bias for p in params)
    assert removed.weight not in optimizer.state and removed.bias not in optimizer.state
    train(model, optimizer, x, y, 2)


def test_channels_after_a_layer_come_from_the_nearest_conv_or_batchnorm_through_channelwise_layers():
    from torch import nn
    from revacnn.layers import channels_after
    model = nn.Sequential(nn.Conv2d(3, 6, 3), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 5, 1),
                          nn.ReLU(), nn.Flatten(), nn.Linear(5, 2))
    assert channels_after(model, "0", "x") == (model[0], 6)
    assert channels_after(model, "3", "x") == (model[1], 6)  # the BatchNorm nearest before the pool
    assert channels_after(model, "5", "x") == (model[4], 5)
    with pytest.raises(revacnn.SteeringError, match=r"cannot x: its output is not a known image tensor \(7 is a "
                                                    r"Linear\)"):
        channels_after(model, "7", "x")
    with pytest.raises(revacnn.SteeringError, match="no Conv2d or BatchNorm2d before it"):
        channels_after(nn.Sequential(nn.ReLU(), nn.Conv2d(3, 3, 1)), "0", "x")
