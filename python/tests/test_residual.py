"""A conv whose output reaches a residual addition cannot change width alone; the inner conv of a
ResNet block can."""
import pytest
import torch

import revacnn
from models import TinyResNet, images, snapshot, assert_identical


@pytest.mark.parametrize("conv_name", ["layer1.0.conv2", "layer1.1.conv2", "layer1.1.downsample.0", "conv1"])
@pytest.mark.parametrize("command", ["add", "remove"])
def test_conv_feeding_an_addition_is_refused(conv_name, command):
    torch.manual_seed(0)
    model = TinyResNet()
    before = snapshot(model, None)
    with pytest.raises(revacnn.SteeringError, match="residual addition") as refused:
        if command == "add":
            revacnn.add_filters(model, None, conv_name, 1, init="net2net")
        else:
            revacnn.remove_filters(model, None, conv_name, [0])
    assert "cannot change width alone" in str(refused.value) and "\n" not in str(refused.value)
    assert_identical(before, snapshot(model, None))


def test_inner_conv_of_a_block_can_change_width():
    torch.manual_seed(0)
    model = TinyResNet()
    revacnn.add_filters(model, None, "layer1.0.conv1", 4, init="random")
    revacnn.remove_filters(model, None, "layer1.1.conv1", [0, 2])
    assert model(images(2, size=16)).shape == (2, 10)
    assert model.layer1[0].conv2.in_channels == 12 and model.layer1[1].bn1.num_features == 10


def test_torchvision_resnet18():
    models = pytest.importorskip("torchvision.models")
    torch.manual_seed(0)
    model = models.resnet18(num_classes=10).eval()
    x = images(1, size=32)
    with torch.no_grad():
        before = model(x)
        revacnn.add_filters(model, None, "layer2.1.conv1", 8, init="net2net")
        assert torch.allclose(before, model(x), rtol=0, atol=1e-4)
    with pytest.raises(revacnn.SteeringError, match="residual addition"):
        revacnn.add_filters(model, None, "layer2.1.conv2", 8, init="net2net")
