#!/usr/bin/python3
"""Training / inference throughput of the ReVACNN (ConvNetJS CIFAR-10 demo) network, or of He et al.'s
CIFAR ResNet-20, in PyTorch on CPU. A copy of ../shared/bench/peers/torch_bench.py with --model added.

Network (--model paper, default): input 3x32x32 -> conv5x5 16 pad2 -> ReLU -> maxpool2/2 -> conv5x5 20 pad2
         -> ReLU -> maxpool2/2 -> conv5x5 20 pad2 -> ReLU -> maxpool2/2 -> linear 320->10 -> softmax cross-entropy.
Network (--model resnet20): conv3x3 16 (no bias) - BN - ReLU, 3 stages of 3 basic blocks (16, 32, 64 channels,
         stride 2 at the first block of stages 2 and 3, 1x1 conv + BN projection shortcuts there), global average
         pooling, linear 64->10: the same network as `revacnn --model resnet20` (272,474 parameters).
Optimizer: torch.optim.SGD(lr=0.01, momentum=0.9, weight_decay=1e-4).
Data: synthetic uniform(-1,1) float32 images, random labels in [0,10).

One training step = zero_grad + forward + loss + backward + optimizer step on one batch.
Inference = model.eval() + torch.inference_mode() forward of one batch.

Usage: /usr/bin/python3 torch_bench.py [--model paper|resnet20] [--threads 1,2] [--batches 4,64] [--seconds 10] [--repeats 3]
                                       [--warmup 3] [--infer-batch 64] [--no-mkldnn] [--channels-last] [--json]
"""
import argparse
import ctypes
import json
import statistics
import sys
import time

import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN plus the identity or a 1x1 conv + BN shortcut, then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


def make_resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for cout, stride in [(16, 1), (32, 2), (64, 2)]:
        for i in range(3):
            layers.append(BasicBlock(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


MODEL = "paper"


def make_model():
    if MODEL == "resnet20":
        return make_resnet20()
    return nn.Sequential(
        nn.Conv2d(3, 16, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 20, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 20, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(320, 10),
    )


def make_data(pool, seed, channels_last):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(pool, 3, 32, 32, generator=g) * 2 - 1
    y = torch.randint(0, 10, (pool,), generator=g)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    return x, y


def time_train(model, opt, loss_fn, x, y, batch, seconds):
    n = x.shape[0]
    nb = n // batch
    model.train()
    i = 0
    count = 0
    t0 = time.perf_counter()
    t = t0
    while t - t0 < seconds:
        s = (i % nb) * batch
        xb = x[s:s + batch]
        yb = y[s:s + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        i += 1
        count += batch
        t = time.perf_counter()
    return count / (t - t0), float(loss)


def time_infer(model, x, batch, seconds):
    n = x.shape[0]
    nb = n // batch
    model.eval()
    i = 0
    count = 0
    sink = 0.0
    with torch.inference_mode():
        t0 = time.perf_counter()
        t = t0
        while t - t0 < seconds:
            s = (i % nb) * batch
            out = model(x[s:s + batch])
            i += 1
            count += batch
            t = time.perf_counter()
        sink += float(out[0, 0])
    model.train()
    return count / (t - t0)


def openblas_handle():
    """torch 1.13 from Debian does its BLAS calls (Linear; conv when oneDNN is off) through libblas.so.3,
    normally OpenBLAS with its own thread pool that torch.set_num_threads does not control."""
    try:
        lib = ctypes.CDLL("libblas.so.3")
        lib.openblas_set_num_threads
        lib.openblas_get_num_threads
        return lib
    except (OSError, AttributeError):
        return None


def summarize(runs):
    return {"min": min(runs), "median": statistics.median(runs), "max": max(runs), "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["paper", "resnet20"], default="paper")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batches", default="4,64")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--infer-batch", type=int, default=64)
    ap.add_argument("--pool", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-mkldnn", action="store_true", help="torch.backends.mkldnn.enabled=False (ATen im2col+BLAS path)")
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--no-infer", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    global MODEL
    MODEL = a.model

    if a.no_mkldnn:
        torch.backends.mkldnn.enabled = False
    variant = "default"
    if a.no_mkldnn:
        variant = "mkldnn-off"
    if a.channels_last:
        variant = variant + "+channels_last" if variant != "default" else "channels_last"

    default_threads = torch.get_num_threads()
    blas = openblas_handle()
    meta = {
        "peer": "pytorch-cpu",
        "torch_version": torch.__version__,
        "python": sys.version.split()[0],
        "default_num_threads": default_threads,
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "mkldnn_enabled": bool(torch.backends.mkldnn.enabled),
        "mkl_available": torch.backends.mkl.is_available(),
        "openmp_available": torch.backends.openmp.is_available(),
        "variant": variant,
        "model": a.model,
        "parameters": sum(p.numel() for p in make_model().parameters()),
        "openblas_default_threads": blas.openblas_get_num_threads() if blas else None,
    }
    results = []
    x, y = make_data(a.pool, a.seed, a.channels_last)
    loss_fn = nn.CrossEntropyLoss()
    for nt in [int(v) for v in a.threads.split(",")]:
        torch.set_num_threads(nt)
        assert torch.get_num_threads() == nt
        if blas:  # keep OpenBLAS's own pool at the same size, so "threads" means what it says
            blas.openblas_set_num_threads(nt)
            assert blas.openblas_get_num_threads() == nt
        for batch in [int(v) for v in a.batches.split(",")]:
            torch.manual_seed(a.seed)
            model = make_model()
            if a.channels_last:
                model = model.to(memory_format=torch.channels_last)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
            time_train(model, opt, loss_fn, x, y, batch, a.warmup)
            runs = []
            last_loss = None
            for _ in range(a.repeats):
                ips, last_loss = time_train(model, opt, loss_fn, x, y, batch, a.seconds)
                runs.append(ips)
            st = summarize(runs)
            results.append({"mode": "train", "batch": batch, "threads": nt, "variant": variant, **st, "lastLoss": last_loss})
            print(f"torch[{variant}] train threads={nt} batch={batch}: median {st['median']:.1f} img/s "
                  f"[{st['min']:.1f}-{st['max']:.1f}] runs={','.join(f'{r:.1f}' for r in runs)} loss={last_loss:.3f}",
                  flush=True, file=sys.stderr if a.json else sys.stdout)
        if not a.no_infer:
            torch.manual_seed(a.seed)
            model = make_model()
            if a.channels_last:
                model = model.to(memory_format=torch.channels_last)
            time_infer(model, x, a.infer_batch, a.warmup)
            runs = [time_infer(model, x, a.infer_batch, a.seconds) for _ in range(a.repeats)]
            st = summarize(runs)
            results.append({"mode": "infer", "batch": a.infer_batch, "threads": nt, "variant": variant, **st})
            print(f"torch[{variant}] infer threads={nt} batch={a.infer_batch}: median {st['median']:.1f} img/s "
                  f"[{st['min']:.1f}-{st['max']:.1f}] runs={','.join(f'{r:.1f}' for r in runs)}", flush=True,
                  file=sys.stderr if a.json else sys.stdout)
    out = {"meta": meta, "results": results}
    print(json.dumps(out) if a.json else json.dumps(meta))


if __name__ == "__main__":
    main()
