"""Loads a `revacnn export` folder into PyTorch and classifies images with it.

    python3 load_export.py EXPORT_DIR PIXELS_FILE

PIXELS_FILE holds raw uint8 pixels of N images in the export's input shape, channel-major
(N, C, H, W), as revacnn stores them. Prints one JSON object: {"logits": [[...]], "probabilities": [[...]]}.
Only the export is read: architecture.json, preprocessing.json and the .npy weights
(see docs/FORMATS.md). Needs torch (1.13 or 2.x) and numpy.
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn


def load_model(folder):
    """The network of architecture.json with the exported weights, in inference mode."""
    with open(os.path.join(folder, "architecture.json")) as f:
        architecture = json.load(f)

    def weights(layer_id):
        def load(name):
            return torch.from_numpy(np.load(os.path.join(folder, layer_id + "." + name + ".npy")))
        return load("weights"), load("bias")

    layers = []
    flat = False
    for layer in architecture["layers"]:
        kind = layer["kind"]
        if kind == "conv":
            w, b = weights(layer["id"])
            if flat:  # a conv after a dense layer sees its units as 1x1 channels
                layers.append(nn.Unflatten(1, (w.shape[1], 1, 1)))
                flat = False
            module = nn.Conv2d(w.shape[1], w.shape[0], layer["kernelSize"], stride=layer["stride"], padding=layer["pad"])
            module.weight.data.copy_(w)
            module.bias.data.copy_(b)
        elif kind == "dense":
            w, b = weights(layer["id"])
            if not flat:  # inputs in (channel, y, x) order, as revacnn lays them out
                layers.append(nn.Flatten())
                flat = True
            module = nn.Linear(w.shape[1], w.shape[0])
            module.weight.data.copy_(w)
            module.bias.data.copy_(b)
        elif kind == "pool":
            module = nn.MaxPool2d(layer["size"], stride=layer["stride"])
        elif kind == "relu":
            module = nn.ReLU()
        elif kind == "dropout":
            module = nn.Dropout(layer["rate"])
        else:
            raise ValueError("unknown layer kind " + kind)
        layers.append(module)
    return nn.Sequential(*layers).eval()


def preprocess(folder, pixels):
    """(pixel/255 - mean[c]) / std[c], as preprocessing.json says."""
    with open(os.path.join(folder, "preprocessing.json")) as f:
        spec = json.load(f)
    shape = [-1] + spec["inputShape"]
    x = torch.from_numpy(pixels.astype(np.float64)).reshape(shape) / 255.0
    mean = torch.tensor(spec["mean"], dtype=torch.float64).reshape(1, -1, 1, 1)
    std = torch.tensor(spec["std"], dtype=torch.float64).reshape(1, -1, 1, 1)
    return ((x - mean) / std).float()


def main(folder, pixels_file):
    pixels = np.fromfile(pixels_file, dtype=np.uint8)
    model = load_model(folder)
    with torch.no_grad():
        logits = model(preprocess(folder, pixels))
        probabilities = torch.softmax(logits, dim=1)
    json.dump({"logits": logits.tolist(), "probabilities": probabilities.tolist()}, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
