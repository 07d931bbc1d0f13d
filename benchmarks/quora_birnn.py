"""Benchmark (not a test): the quora `birnn_conv` encoder, padded (before) vs packed (ours).

On the paper-scale sequence features and the params/quora.yaml spec, in one process, with the
build's settings (1 torch thread, kernels capped to AVX2, deterministic mode):
  - equivalence: one batch in float64, scores and every gradient of both ways compared;
  - training: --steps Adam steps of each way from the same initial weights and batches;
  - evaluation: `predict` over the test split (what `fit` runs on both splits every epoch).
The padded way is a reference copy of the encoder's forward before packing.

    python benchmarks/quora_birnn.py [--steps 60]
"""

from __future__ import annotations

import os

os.environ.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2")  # before torch loads

import argparse  # noqa: E402
import copy  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from dlrepro.core.params import load_project_params  # noqa: E402
from dlrepro.studies.quora import models, train  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "data/processed/quora/features_sequences.npz"


class PaddedEncoder(models.SequenceEncoder):
    """The encoder before packing: GRUs and conv over the whole padded batch, then masked."""

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        fwd, bwd, mask = self.known_words(ids)
        x_fwd = F.embedding(fwd, self.table)
        h_fwd, _ = self.gru_fwd(x_fwd)
        h_bwd, _ = self.gru_bwd(F.embedding(bwd, self.table))
        c = torch.relu(self.conv(x_fwd.transpose(1, 2))).transpose(1, 2)
        feats = torch.cat([h_fwd, h_bwd, c], dim=2)
        pooled = feats.masked_fill(~mask[:, :, None], float("-inf")).amax(dim=1)
        return torch.where(mask.any(dim=1, keepdim=True), pooled, torch.zeros_like(pooled))


def quora_params() -> dict:
    return load_project_params(ROOT)["quora"]


def padded(model: models.SiameseNet) -> models.SiameseNet:
    """A copy of `model` (same weights) whose encoder runs the padded way."""
    model = copy.deepcopy(model)
    model.encoder.__class__ = PaddedEncoder
    return model


def max_gradient_gap(new, old, a, b, y) -> tuple[float, float]:
    """(max |score gap|, max |gradient gap| / max |gradient|) on one float64 batch."""
    grads, scores = [], []
    for m in (new.double(), old.double()):
        m.train()
        score = m(a, b)
        m.zero_grad()
        m.loss(score, y).backward()
        scores.append(score.detach())
        grads.append({n: p.grad for n, p in m.named_parameters()})
    scale = max(g.abs().max().item() for g in grads[1].values())
    gap = max((grads[0][n] - grads[1][n]).abs().max().item() for n in grads[1])
    return (scores[0] - scores[1]).abs().max().item(), gap / scale


def time_training(model, spec, split, steps: int) -> float:
    """ms per Adam step over the first `steps` batches of a seeded permutation."""
    a, b, y = split
    opt, _ = train.make_optimiser(spec, model)
    perm = torch.randperm(len(a), generator=torch.Generator().manual_seed(0))
    bs = spec["batch_size"]
    model.train()

    def step(i: int) -> None:
        idx = perm[i * bs : (i + 1) * bs]
        opt.zero_grad()
        loss = model.loss(model(a[idx], b[idx]), y[idx])
        loss.item()
        loss.backward()
        opt.step()

    step(0)  # warm-up
    start = time.perf_counter()
    for i in range(1, steps + 1):
        step(i)
    return (time.perf_counter() - start) / steps * 1000


def time_eval(model, split) -> tuple[float, torch.Tensor]:
    start = time.perf_counter()
    pred = models.predict(model, split[0], split[1])
    return time.perf_counter() - start, pred


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=60)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_deterministic_debug_mode("error")

    params = quora_params()
    spec = {**params["training"], **params["variants"]["birnn_conv"]}
    spec.pop("features")
    spec = models.validate_spec(spec)
    with np.load(FEATURES) as f:
        data = {k: f[k] for k in f.files}
    table = data.pop("embeddings")
    splits = train.to_tensors(spec, data, torch.device("cpu"), table)
    torch.manual_seed(0)
    ours = models.build_model(spec, table)
    before = padded(ours)

    a, b, y = (t[:256] for t in splits["train"])
    score_gap, grad_gap = max_gradient_gap(copy.deepcopy(ours), padded(ours), a, b, y)

    ms_before = time_training(copy.deepcopy(before), spec, splits["train"], args.steps)
    ms_ours = time_training(copy.deepcopy(ours), spec, splits["train"], args.steps)
    ev_before, pred_before = time_eval(before, splits["test"])
    ev_ours, pred_ours = time_eval(ours, splits["test"])

    n_test = len(splits["test"][0])
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"1 thread, kernels {torch.backends.cpu.get_cpu_capability()}"
    )
    print(f"Data: {FEATURES.relative_to(ROOT)}, batch {spec['batch_size']}\n")
    print("| | padded (before) | packed (ours) | before / ours |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| training, ms/step ({args.steps} steps) | {ms_before:.1f} | {ms_ours:.1f} | "
        f"{ms_before / ms_ours:.2f}x |"
    )
    print(
        f"| predict, test split ({n_test:,} pairs), s | {ev_before:.2f} | {ev_ours:.2f} | "
        f"{ev_before / ev_ours:.2f}x |"
    )
    print(
        f"\nfloat64, one batch of 256: max |score gap| {score_gap:.1e}, max gradient gap "
        f"{grad_gap:.1e} of the largest gradient; float32 test predictions that differ: "
        f"{int((pred_before != pred_ours).sum())} of {n_test:,}"
    )
    if score_gap > 1e-9 or grad_gap > 1e-9:
        raise SystemExit("the two ways do not compute the same function")


if __name__ == "__main__":
    main()
