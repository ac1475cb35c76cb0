"""PyTorch reference numbers for BatchNormTest (run once with /usr/bin/python3, torch 1.13; the
printed constants are pasted into src/test/java/org/revacnn/engine/BatchNormTest.java).

Input x[n][c][y][x] = ((i * 7) % 11 - 5) * 0.25 + c * 0.5 with i the flat index, shape 2x3x2x3;
gamma = [1.5, -0.5, 2.0], beta = [0.1, 0.2, -0.3]; upstream gradient dy[i] = ((i * 5) % 13 - 6) / 8.
One training forward/backward, then an inference forward of the same x with the updated running
statistics."""
import torch

N, C, H, W = 2, 3, 2, 3
i = torch.arange(N * C * H * W, dtype=torch.float64)
x = (((i * 7) % 11 - 5) * 0.25).reshape(N, C, H, W) + torch.arange(C, dtype=torch.float64).reshape(1, C, 1, 1) * 0.5
x = x.float().requires_grad_(True)
dy = (((i * 5) % 13 - 6) / 8).float().reshape(N, C, H, W)
bn = torch.nn.BatchNorm2d(C)  # momentum 0.1, eps 1e-5
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
bn.train()
y = bn(x)
y.backward(dy)
bn.eval()
with torch.no_grad():
    y_eval = bn(x)


def java(name, t):
    values = ", ".join("%.8ef" % v for v in t.detach().flatten().tolist())
    print("  private static final float[] %s = {%s};" % (name, values))


java("TRAIN_OUTPUT", y)
java("INPUT_GRADIENT", x.grad)
java("GAMMA_GRADIENT", bn.weight.grad)
java("BETA_GRADIENT", bn.bias.grad)
java("RUNNING_MEAN", bn.running_mean)
java("RUNNING_VARIANCE", bn.running_var)
java("EVAL_OUTPUT", y_eval)
