"""One training step of an adversarial ensemble member (ConvNet 8/16/64, batch 128, Adam), on
one CPU thread under the AVX2 kernel cap, four ways side by side in one run:

- before: the ConvNet as it was (NCHW, ReLU then max-pool);
- now: dlrepro.classifier.convnet.ConvNet (channels_last, max-pool then ReLU: same bits as the
  textbook order, see the class docstring);
- grouped: M members as one computation (grouped convolutions + batched matmuls, each member its
  own batch), per member: the "several members per process" option of issue 14;
- floor: the step's multiply-adds (forward + backward ~ 3x forward) at the speed of one large
  matmul on this CPU.

    python benchmarks/member_step.py [--steps 120]
"""

from __future__ import annotations

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")  # the jobs' cap (params cpu_isa: avx2)
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from dlrepro.classifier.convnet import ConvNet  # noqa: E402

B, C1, C2, HIDDEN = 128, 8, 16, 64


class Before(nn.Module):
    """The ConvNet before issue 14: NCHW, ReLU before each max-pool."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, C1, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(C1, C2, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(C2 * 16, HIDDEN), nn.ReLU(),
        )  # fmt: skip
        self.dropout, self.head = nn.Dropout(0.5), nn.Linear(HIDDEN, 10)

    def forward(self, x):
        return self.head(self.dropout(self.body(x)))


class Grouped(nn.Module):
    """M ConvNets as one: input [B, M, 28, 28] (member m's batch in channel m)."""

    def __init__(self, m: int):
        super().__init__()
        self.m = m
        self.c1 = nn.Conv2d(m, m * C1, 5, groups=m)
        self.c2 = nn.Conv2d(m * C1, m * C2, 5, groups=m)
        self.w1 = nn.Parameter(torch.randn(m, C2 * 16, HIDDEN) * 0.05)
        self.b1 = nn.Parameter(torch.zeros(m, 1, HIDDEN))
        self.w2 = nn.Parameter(torch.randn(m, HIDDEN, 10) * 0.1)
        self.b2 = nn.Parameter(torch.zeros(m, 1, 10))
        self.to(memory_format=torch.channels_last)

    def forward(self, x):
        h = F.relu(F.max_pool2d(self.c1(x), 2))
        h = F.relu(F.max_pool2d(self.c2(h), 2))
        h = h.reshape(len(x), self.m, -1).transpose(0, 1)  # [M, B, 256]
        h = F.dropout(F.relu(torch.baddbmm(self.b1, h, self.w1)), 0.5, True)
        return torch.baddbmm(self.b2, h, self.w2)  # [M, B, 10]


def median_ms(step, steps: int) -> float:
    times = []
    for i in range(steps):
        t = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times[steps // 5 :]) * 1000  # drop warm-up


def single(model, x, y, steps):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    g = torch.Generator().manual_seed(0)

    def step(_):
        idx = torch.randint(0, len(x), (B,), generator=g)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_ms(step, steps)


def grouped(m, x, y, steps):
    model = Grouped(m)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    g = torch.Generator().manual_seed(0)

    def step(_):
        idx = torch.randint(0, len(x), (m, B), generator=g)
        xb = x[idx.reshape(-1)].reshape(m, B, 28, 28).transpose(0, 1)
        out = model(xb.contiguous(memory_format=torch.channels_last))
        loss = F.cross_entropy(out.reshape(-1, 10), y[idx].reshape(-1)) * m  # sum of means
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_ms(step, steps) / m


def matmul_gmacs(n: int = 1024, reps: int = 20) -> float:
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(3):
        a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return n**3 * reps / (time.perf_counter() - t) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=120)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y = torch.rand(60000, 1, 28, 28), torch.randint(0, 10, (60000,))
    # forward multiply-adds per image: conv1 24*24*8*25, conv2 8*8*16*200, dense 256*64 + 64*10
    macs = B * (24 * 24 * C1 * 25 + 8 * 8 * C2 * C1 * 25 + C2 * 16 * HIDDEN + HIDDEN * 10) * 3
    before = single(Before(), x, y, args.steps)
    now = single(ConvNet(C1, C2, HIDDEN, 0.5), x, y, args.steps)
    floor = macs / matmul_gmacs() / 1e6
    print(f"torch {torch.__version__}, 1 thread, cap {torch.backends.cpu.get_cpu_capability()}")
    print("| way | ms per step (per member) | vs before |")
    print("| --- | ---: | ---: |")
    print(f"| before (NCHW, ReLU then pool) | {before:.2f} | 1.00 |")
    print(f"| now (channels_last, pool then ReLU) | {now:.2f} | {before / now:.2f}x |")
    for m in (4, 10):
        per = grouped(m, x, y, max(args.steps // 3, 20))
        print(f"| {m} members as one grouped computation | {per:.2f} | {before / per:.2f}x |")
    print(f"| floor: {macs / 1e9:.3f} GMAC at large-matmul speed | {floor:.2f} | |")
    print(f"now / floor = {now / floor:.1f}")


if __name__ == "__main__":
    main()
