"""The ReVACNN paper's model in PyTorch, for examples and tests."""
from torch import nn


def paper_model():
    """conv16-relu-pool, conv20-relu-pool, conv20-relu-pool, linear 10 on 3x32x32 (ConvNetJS's CIFAR-10 demo)."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 20, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 20, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(320, 10))
