"""examples/torch_train.py: plain training on CIFAR-10 binaries read from a folder (the baseline that
prints img/s), resnet18 with its CIFAR stem, two processes with DDP started the way torchrun
starts them (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), attached through an in-memory transport,
and one process attached over a real WebSocket (ws_server.py) that stops after --steps with a bye."""
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest
import torch

from ddp_worker import free_port
from ws_server import EngineServer

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "torch_train.py"


def example_module():
    spec = importlib.util.spec_from_file_location("torch_train", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def launch(*args, env=None):
    return subprocess.Popen([sys.executable, str(EXAMPLE), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=dict(os.environ, OMP_NUM_THREADS="1", **(env or {})))


def finish(process, timeout=120):
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    return out


def write_cifar_batch(folder, labels):
    """A data_batch_1.bin of len(labels) records: image i has red = 255, green = i, blue = 0 everywhere."""
    records = bytearray()
    for i, label in enumerate(labels):
        records += bytes([label]) + bytes([255]) * 1024 + bytes([i]) * 1024 + bytes(1024)
    (folder / "data_batch_1.bin").write_bytes(bytes(records))


def test_cifar10_binaries_are_read_as_label_then_red_green_blue_planes(tmp_path):
    write_cifar_batch(tmp_path, [7, 2, 9])
    example = example_module()
    data = example.cifar10(str(tmp_path))
    assert len(data) == 3 and [int(data[i][1]) for i in range(3)] == [7, 2, 9]
    image = data[1][0]
    mean, std = example.CIFAR_MEAN, example.CIFAR_STD
    assert image.shape == (3, 32, 32)
    assert torch.allclose(image[0], torch.full((32, 32), (1.0 - mean[0]) / std[0]))
    assert torch.allclose(image[1], torch.full((32, 32), (1 / 255 - mean[1]) / std[1]))
    assert torch.allclose(image[2], torch.full((32, 32), -mean[2] / std[2]))


def test_resnet18_has_a_cifar_stem():
    pytest.importorskip("torchvision")
    model = example_module().resnet18()
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, torch.nn.Identity)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_the_example_trains_plainly_and_attached_on_two_processes(tmp_path):
    write_cifar_batch(tmp_path, [i % 10 for i in range(16)])
    port = str(free_port())
    plain = launch("--data", f"cifar10:{tmp_path}", "--steps", "3", "--batch", "4")
    ranks = [launch("--data", "synthetic", "--steps", "4", "--batch", "4", "--in-memory",
                    env={"RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                         "MASTER_PORT": port}) for r in range(2)]

    out = finish(plain)
    assert "epoch 1: 12 images in" in out and "img/s" in out and "(paper, batch 4 x 1 process, cpu)" in out
    assert "loss nan" not in out
    rank0, rank1 = (finish(r) for r in ranks)
    assert "epoch 1: 32 images in" in rank0 and "(paper, batch 4 x 2 processes, cpu)" in rank0
    assert "sent: bye=1 hello=1 snapshot=" in rank0
    assert rank1 == ""  # only rank 0 reports


def test_the_example_attached_over_a_websocket_stops_after_its_steps_says_bye_and_shows_progress():
    pytest.importorskip("websocket")
    server = EngineServer(token="T")
    out = finish(launch("--data", "synthetic", "--steps", "5", "--batch", "4", "--attach", server.url,
                        "--token", "T", "--progress", "0"))
    bye = server.wait_for(lambda m: m["type"] == "bye", 10)
    server.go_away()
    kinds = [m["type"] for m in server.received]
    assert kinds[0] == "hello" and "snapshot" in kinds and kinds[-1] == "bye"
    assert bye["payload"] == {"reason": "finished", "step": 5}
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("step ")] == \
        [f"step {n}" for n in range(1, 6)]
    assert "step 5: loss " in out and " img/s" in out and "revacnn:" not in out


def test_the_example_says_what_to_do_when_no_server_answers():
    pytest.importorskip("websocket")
    port = free_port()
    process = launch("--data", "synthetic", "--steps", "2", "--attach", f"http://127.0.0.1:{port}")
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 1 and "Traceback" not in out
    assert f"cannot attach: nothing answers at ws://127.0.0.1:{port}/engine" in out
    assert f"is `revacnn serve --attach` running at http://127.0.0.1:{port}?" in out
