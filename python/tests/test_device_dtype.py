"""New parameters, gradients and optimiser state are made on the module's device and in its dtype."""
import pytest
import torch

import revacnn
from models import TinyResNet, images, labels, paper_model, train

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_surgery_keeps_device_and_dtype(device, dtype):
    torch.manual_seed(0)
    model = paper_model().to(device, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = images(4).to(device, dtype), labels(4).to(device)
    train(model, optimizer, x, y, 2)
    model.eval()
    with torch.no_grad():
        before = model(x)
    revacnn.add_filters(model, optimizer, "3", 2, init="net2net", noise=0.0)
    revacnn.add_filters(model, optimizer, "0", 2, init="zero-out", generator=torch.Generator().manual_seed(3))
    revacnn.insert_identity_conv(model, optimizer, "4")
    with torch.no_grad():
        assert torch.allclose(before, model(x), rtol=0, atol=1e-5)
    revacnn.add_filters(model, optimizer, "6", 1, init="random")
    revacnn.remove_filters(model, optimizer, "3", [0])
    model.train()
    train(model, optimizer, x, y, 2)
    for param in model.parameters():
        assert param.device.type == device and param.dtype == dtype
        for value in optimizer.state[param].values():
            if torch.is_tensor(value) and value.dim() > 0:
                assert value.device.type == device and value.dtype == dtype


@pytest.mark.parametrize("device", DEVICES)
def test_batchnorm_buffers_keep_device_and_dtype(device):
    torch.manual_seed(0)
    model = TinyResNet().to(device, torch.float64)
    revacnn.add_filters(model, None, "layer1.0.conv1", 3, init="net2net")
    bn = model.layer1[0].bn1
    for tensor in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
        assert tensor.device.type == device and tensor.dtype == torch.float64 and tensor.shape == (11,)
    assert bn.num_batches_tracked.dtype == torch.long
    assert model(images(2, size=16).to(device, torch.float64)).shape == (2, 10)
