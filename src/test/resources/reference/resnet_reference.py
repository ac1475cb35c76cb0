"""Parameter counts of He et al.'s CIFAR ResNets in PyTorch, for ModelPresetsTest (run once with
/usr/bin/python3, torch 1.13; the printed numbers are pasted into the test).

The models are built as revacnn's resnetD preset builds them: conv3x3(16, no bias)-bn-relu, three
stages of n basic blocks (conv3x3-bn-relu-conv3x3-bn, no conv biases) with 16/32/64 channels, stride
2 at the start of stages 2 and 3 with 1x1-conv + bn projection shortcuts ("option B"), global average
pooling, linear 64 -> 10. The paper's CIFAR models use parameter-free "option A" shortcuts instead
(zero-padded identity), printed for comparison: 0.27M for ResNet-20 either way."""
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, inputs, width, stride, projection):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(inputs, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width))
        changes = stride != 1 or inputs != width
        self.shortcut = (nn.Sequential(nn.Conv2d(inputs, width, 1, stride, 0, bias=False), nn.BatchNorm2d(width))
                         if changes and projection else nn.Identity())

    def forward(self, x):
        return nn.functional.relu(self.main(x) + self.shortcut(x))


def resnet(depth, projection=True):
    n = (depth - 2) // 6
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    inputs = 16
    for stage, width in enumerate([16, 32, 64]):
        for b in range(n):
            layers.append(Block(inputs, width, 2 if b == 0 and stage > 0 else 1, projection))
            inputs = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


for depth in (20, 32, 56):
    count = sum(p.numel() for p in resnet(depth).parameters())
    option_a = sum(p.numel() for p in resnet(depth, projection=False).parameters())
    print("resnet%d: %d parameters with 1x1 projection shortcuts, %d with option A" % (depth, count, option_a))
