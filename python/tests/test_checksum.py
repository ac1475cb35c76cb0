"""weights_checksum: the same for equal weights, different when any parameter or buffer differs."""
import copy

import torch

import revacnn
from models import TinyResNet


def test_checksum_is_stable_and_sensitive():
    torch.manual_seed(0)
    model = TinyResNet()
    digest = revacnn.weights_checksum(model)
    assert len(digest) == 64 and int(digest, 16) >= 0
    twin = copy.deepcopy(model)
    assert revacnn.weights_checksum(twin) == digest
    assert revacnn.weights_checksum(torch.nn.DataParallel(twin)) == digest
    with torch.no_grad():
        twin.fc.weight[3, 4] += 1e-7
    assert revacnn.weights_checksum(twin) != digest
    other = copy.deepcopy(model)
    other.layer1[0].bn1.running_mean[0] += 1.0
    assert revacnn.weights_checksum(other) != digest


def test_checksum_follows_surgery():
    torch.manual_seed(0)
    model = TinyResNet()
    twin = copy.deepcopy(model)
    revacnn.add_filters(model, None, "layer1.0.conv1", 2, init="net2net", source=1)
    revacnn.add_filters(twin, None, "layer1.0.conv1", 2, init="net2net", source=1)
    assert revacnn.weights_checksum(model) == revacnn.weights_checksum(twin)
    revacnn.remove_filters(twin, None, "layer1.0.conv1", [9])
    assert revacnn.weights_checksum(model) != revacnn.weights_checksum(twin)
