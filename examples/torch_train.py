"""Train the paper's CIFAR-10 model or a CIFAR-sized resnet18 in PyTorch, optionally attached to a
revacnn server that watches and steers it (python/revacnn, docs/ENGINE.md).

    python3 examples/torch_train.py --data synthetic --model paper --attach http://127.0.0.1:7070
    python3 examples/torch_train.py --data cifar10:~/cifar-10-batches-bin --model resnet18 --epochs 2
    torchrun --nproc_per_node=2 examples/torch_train.py --data synthetic --attach http://127.0.0.1:7070

Without --attach it trains plainly and prints images per second: the baseline for the attached loop.
Every few seconds (--progress) it prints the step, the loss and the images per second, so a long
run shows it is alive; --steps N stops after N steps (an attached run then says bye to the server).
Under torchrun (or any launcher that sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) it trains with
DistributedDataParallel, gloo on the CPU or NCCL on GPUs; rank 0 talks to the server.
"""
import argparse
import glob
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

try:
    import revacnn
except ImportError:  # run from a checkout: the package lives in python/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import revacnn

CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR_RECORD = 1 + 3 * 32 * 32  # a label byte, then the red, green and blue 32x32 planes
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="synthetic", help="synthetic | cifar10:DIR (DIR holds data_batch_*.bin)")
    parser.add_argument("--model", default="paper", choices=["paper", "resnet18"])
    parser.add_argument("--attach", metavar="URL", help="the revacnn server, e.g. http://127.0.0.1:7070")
    parser.add_argument("--token", default=os.environ.get("REVACNN_TOKEN"), help="the server's token, if it has one")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--batch", type=int, default=64, help="batch size per process")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: whole epochs)")
    parser.add_argument("--progress", type=float, default=5.0, metavar="SECONDS",
                        help="print step, loss and img/s this often (0: every step)")
    parser.add_argument("--in-memory", action="store_true", help=argparse.SUPPRESS)  # tests: a MemoryTransport
    return parser.parse_args(argv)



class Progress:
    """A line `step N: loss L, R img/s` every `seconds` (img/s over the steps since the last line, all
    processes); the loss is read from the device only then."""

    def __init__(self, seconds, world):
        self.seconds, self.world = seconds, world
        self.since, self.images = time.perf_counter(), 0

    def step(self, steps, images, loss):
        self.images += images * self.world
        now = time.perf_counter()
        if now - self.since >= self.seconds:
            print(f"step {steps}: loss {loss.item():.4f}, {self.images / (now - self.since):.1f} img/s", flush=True)
            self.since, self.images = now, 0


def resnet18():
    """torchvision's resnet18, randomly initialised, for 32x32 images: a 3x3 stride-1 stem, no max-pool."""
    import torchvision
    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model


def synthetic(count=2048, seed=0):
    """Images whose class shifts the mean of one colour channel in one quadrant: learnable, no files."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (count,), generator=generator)
    images = torch.randn(count, 3, 32, 32, generator=generator) * 0.5
    for c in range(10):
        chosen = labels == c
        row, col = (c // 5) * 16, (c % 5) * 6
        images[chosen, c % 3, row:row + 16, col:col + 6] += 1.5
    return TensorDataset(images, labels)


def cifar10(folder):
    """CIFAR-10's binary training set (data_batch_1.bin ... data_batch_5.bin), normalised per channel."""
    folder = os.path.expanduser(folder)
    files = sorted(glob.glob(os.path.join(folder, "data_batch_*.bin")))
    if not files:
        raise SystemExit(f"no data_batch_*.bin in {folder}: give the folder of CIFAR-10's binary version")
    records = []
    for name in files:
        with open(name, "rb") as f:
            data = f.read()
        if len(data) % CIFAR_RECORD:
            raise SystemExit(f"{name} is not CIFAR-10 binary: its size is not a multiple of {CIFAR_RECORD} bytes")
        records.append(torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(-1, CIFAR_RECORD))
    table = torch.cat(records)
    labels = table[:, 0].long()
    images = table[:, 1:].reshape(-1, 3, 32, 32).float() / 255
    mean, std = torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1), torch.tensor(CIFAR_STD).view(1, 3, 1, 1)
    return TensorDataset((images - mean) / std, labels)


def dataset(spec):
    if spec == "synthetic":
        return synthetic()
    if spec.startswith("cifar10:"):
        return cifar10(spec[len("cifar10:"):])
    raise SystemExit(f"--data must be synthetic or cifar10:DIR, got {spec!r}")


def start_distributed(device):
    """(rank, world size, device) under torchrun's environment variables, else (0, 1, device)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1, torch.device(device)
    if device == "cuda":
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        dist.init_process_group("nccl")
        return dist.get_rank(), dist.get_world_size(), torch.device("cuda", local)
    dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size(), torch.device("cpu")


def train_step(model, optimizer, images, labels, run=None):
    """One step of the loop; attached, through run.model (rebuilt after surgery) and run.step. The loss."""
    out = (run.model if run else model)(images)
    loss = F.cross_entropy(out, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if run:
        run.step(loss, out, labels)
    return loss


def main(argv=None):
    args = arguments(argv)
    rank, world, device = start_distributed(args.device)
    torch.manual_seed(0)  # the same initial weights on every rank (DDP copies rank 0's anyway)
    train_set = dataset(args.data)
    model = (revacnn.paper_model() if args.model == "paper" else resnet18()).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    if world > 1:
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    run, transport = None, None
    if args.attach or args.in_memory:
        transport = revacnn.MemoryTransport() if args.in_memory else None
        try:
            run = revacnn.attach(model, optimizer, transport=transport, url=args.attach, token=args.token,
                                 probe=train_set[0][0], probe_label=int(train_set[0][1]),
                                 class_names=CIFAR_CLASSES, batch_size=args.batch)
        except revacnn.AttachError as error:
            raise SystemExit(str(error)) from None
    sampler = DistributedSampler(train_set, drop_last=True) if world > 1 else None
    loader = DataLoader(train_set, batch_size=args.batch, shuffle=sampler is None, sampler=sampler, drop_last=True)

    steps = 0
    progress = Progress(args.progress if rank == 0 else float("inf"), world)
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        images_seen, last_loss, started = 0, float("nan"), time.perf_counter()
        for images, labels in (run.batches(train_set) if run else loader):
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            loss = train_step(model, optimizer, images, labels, run)
            images_seen += labels.shape[0]
            steps += 1
            if steps % 50 == 0 or steps == args.steps:
                last_loss = loss.item()  # read now and then only: reading waits for the device
            progress.step(steps, labels.shape[0], loss)
            if steps == args.steps:
                break
        seconds = time.perf_counter() - started
        if rank == 0:
            print(f"epoch {epoch + 1}: {images_seen * world} images in {seconds:.2f} s, "
                  f"{images_seen * world / seconds:.1f} img/s, loss {last_loss:.4f} "
                  f"({args.model}, batch {args.batch} x {world} process{'es' if world > 1 else ''}, {device})",
                  flush=True)
        if steps == args.steps:
            break
    if run:
        run.close()
        if transport is not None and rank == 0:
            kinds = [m["type"] for m in transport.sent]
            print("sent: " + " ".join(f"{k}={kinds.count(k)}" for k in sorted(set(kinds))), flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
