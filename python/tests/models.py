"""Small models for the tests, and helpers to snapshot and compare a model with its optimiser."""
import torch
import torch.nn.functional as F
from torch import nn

from revacnn import paper_model  # noqa: F401  (the tests import it from here with the other models)


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock: conv-bn-relu-conv-bn, plus the input (or its 1x1 projection), relu."""

    def __init__(self, inputs, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inputs != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class TinyResNet(nn.Module):
    """A CIFAR-style ResNet in miniature: 3x3 stem, two BasicBlocks (the second one projects), head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 12, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.avgpool(self.layer1(x))
        return self.fc(torch.flatten(x, 1))


class FunctionalNet(nn.Module):
    """Activations, pooling and dropout as functions in forward; flatten by view(batch, -1)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 5, 3, padding=1)
        self.fc = nn.Linear(5 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.relu(self.conv2(x)), 2)
        x = F.dropout(x, 0.1, self.training)
        return self.fc(x.view(x.size(0), -1))


class AddBatchDim(nn.Module):
    """Accepts a single image as well as a batch; its Python `if` on the input cannot be traced by torch.fx."""

    def forward(self, x):
        if x.dim() == 3:
            x = x.unsqueeze(0)
        return x


def untraceable_sequential():
    return nn.Sequential(AddBatchDim(), nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(),
                         nn.Dropout2d(0.0), nn.Conv2d(6, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                         nn.Flatten(), nn.Linear(16, 10))


def images(count, size=32, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(count, 3, size, size, generator=generator)


def labels(count, seed=2):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 10, (count,), generator=generator)


def train(model, optimizer, x, y, steps):
    """`steps` optimiser steps on one batch; the losses before each step."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def snapshot(model, optimizer):
    """Copies of everything a command could touch: parameters, gradients, buffers, the optimiser's
    groups (parameter identities and hyperparameters) and state, and the modules' printed config."""
    shot = {"repr": repr(model)}
    for name, param in model.named_parameters():
        shot[f"param {name}"] = param.detach().clone()
        shot[f"grad {name}"] = None if param.grad is None else param.grad.clone()
        shot[f"param object {name}"] = id(param)
    for name, buffer in model.named_buffers():
        shot[f"buffer {name}"] = buffer.clone()
    if optimizer is not None:
        for g, group in enumerate(optimizer.param_groups):
            shot[f"group {g}"] = {k: v for k, v in group.items() if k != "params"}
            shot[f"group {g} params"] = [id(p) for p in group["params"]]
            for i, param in enumerate(group["params"]):
                for key, value in optimizer.state.get(param, {}).items():
                    shot[f"state {g}.{i}.{key}"] = value.clone() if torch.is_tensor(value) else value
    return shot


def assert_identical(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        other = after[key]
        if torch.is_tensor(value):
            assert torch.is_tensor(other) and value.dtype == other.dtype and torch.equal(value, other), key
        else:
            assert value == other, key


class ConcatNet(nn.Module):
    """A conv whose output is concatenated with its input (DenseNet style)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Conv2d(7, 2, 1)

    def forward(self, x):
        return self.head(torch.cat([self.conv(x), x], 1))
