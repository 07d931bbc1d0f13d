"""random_dilation BesNet on CPU: a training step and a validation pass, the old way (NCTHW
layout, AvgPool3d, eval batch 256) against the study's code (channels-last, folded 2D pool,
eval batch 64), alternating rounds; median CPU ms of this process (1 thread, AVX2 kernels, as
the jobs run). Paper-scale shapes: clips 1x16x16x16, width 24, bottleneck 12, stages [1,1,1].

    python benchmarks/random_dilation_step.py [--rounds 7] [--steps 15]
"""

from __future__ import annotations

import os

# as the jobs run (dlrepro.core.determinism): before torch loads
os.environ.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2")

import argparse  # noqa: E402
import copy  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from dlrepro.classifier.train import predict_proba  # noqa: E402
from dlrepro.studies.random_dilation.models import BesNet, FramePool  # noqa: E402
from dlrepro.studies.random_dilation.train import EVAL_BATCH  # noqa: E402

STEPS_PER_EPOCH, VAL = 57, 300  # 1800 training clips / batch 32; validation clips


def old_way(model: BesNet) -> BesNet:
    """The same net computed as before: AvgPool3d, input left in NCTHW (so every layer is)."""
    model = copy.deepcopy(model)
    for parent in model.modules():
        for name, child in parent.named_children():
            if isinstance(child, FramePool):
                setattr(parent, name, nn.AvgPool3d((1, 2, 2)))
    backbone = model.features
    backbone.forward = lambda x: backbone.stages(backbone.stem(x))
    return model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, y = torch.rand(1200, 1, 16, 16, 16), torch.randint(6, (1200,))
    print("| variant | step old (ms) | step new (ms) | ratio | val pass old (ms) | "
          "val pass new (ms) | ratio | epoch ratio |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for dilation in (1, 2, "random"):
        torch.manual_seed(0)
        new = BesNet(24, 12, [1, 1, 1], n_classes=6, dilation=dilation)
        ways = {"old": (old_way(new), 256), "new": (new, EVAL_BATCH)}
        runs = {}
        for name, (model, eval_batch) in ways.items():
            model.set_generator(torch.Generator().manual_seed(0))
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            order = torch.Generator().manual_seed(1)

            def step(model=model, opt=opt, order=order):
                model.train()
                idx = torch.randint(len(x), (32,), generator=order)
                loss = F.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()

            def val(model=model, eval_batch=eval_batch):
                predict_proba(model, x[:VAL], batch_size=eval_batch)

            runs[name] = (step, val)
        ms = {(n, k): [] for n in runs for k in ("step", "val")}
        for _ in range(args.rounds):
            for name, (step, val) in runs.items():  # alternate: drift on a shared host hits both
                step()
                start = time.process_time()
                for _ in range(args.steps):
                    step()
                ms[(name, "step")].append((time.process_time() - start) / args.steps * 1e3)
                start = time.process_time()
                val()
                ms[(name, "val")].append((time.process_time() - start) * 1e3)
        med = {k: statistics.median(v) for k, v in ms.items()}
        epoch = {n: STEPS_PER_EPOCH * med[(n, "step")] + med[(n, "val")] for n in runs}
        print(
            f"| {dilation} | {med[('old', 'step')]:.1f} | {med[('new', 'step')]:.1f} | "
            f"{med[('old', 'step')] / med[('new', 'step')]:.2f} | {med[('old', 'val')]:.0f} | "
            f"{med[('new', 'val')]:.0f} | {med[('old', 'val')] / med[('new', 'val')]:.2f} | "
            f"{epoch['old'] / epoch['new']:.2f} |"
        )


if __name__ == "__main__":
    main()
