"""A synthetic video-action set standing in for Kinetics (not available offline).

One bright Gaussian blob moves in a small grayscale frame; its motion pattern is the class.
The six classes are three pairs, and the two members of a pair are TIME REVERSALS of each
other, so a single frame, or the unordered bag of a clip's frames, says which pair a clip is
from but not which member (an order-free model is capped near 50 %, chance is 1/6):

    0 / 1  circle clockwise / counter-clockwise        (a short-range cue: 3 frames show it)
    2 / 3  straight, long pause, then turn left / right (needs context across the pause)
    4 / 5  out fast + back slow / out slow + back fast  (compares speeds over the whole clip)

Frame rate: every clip has the same number of frames T, recorded with a temporal stride s
(params `strides`) of an underlying trajectory, so the same action spans ~1/s of the frames
it would span at stride 1 and moves s times further per frame ("the effect of FPS" the post
says random dilation reduces). The action lasts 0.7-1.0 T underlying steps and starts at a
random time; the blob rests before and after. Position, size, direction, speed, brightness
and the noise are random; splits are drawn from independent seeded streams.
"""

from __future__ import annotations

import numpy as np

from dlrepro.core.determinism import rng as named_rng

CLASSES = (
    "circle cw",
    "circle ccw",
    "turn left",
    "turn right",
    "out fast back slow",
    "out slow back fast",
)
SPLITS = ("train", "val", "test")
GRID = 4  # frame-level auxiliary target for 2D pretraining: the blob's cell on a GRID x GRID grid
MARGIN = 2.0  # blob centres stay this far from the border


def _rotate(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _piecewise(p: np.ndarray, knots: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Positions at progress p in [0, 1], linear between (progress, point) knots."""
    ps = [k[0] for k in knots]
    pts = np.stack([k[1] for k in knots])
    return np.stack([np.interp(p, ps, pts[:, 0]), np.interp(p, ps, pts[:, 1])], axis=1)


def trajectory(label: int, p: np.ndarray, r: np.random.Generator, size: int) -> np.ndarray:
    """Blob centres [len(p), 2] (x, y) for class `label` at action progress p (0 = start,
    1 = end; constant before and after). Shapes are drawn at random, then shifted inside."""
    heading = np.array([1.0, 0.0])
    heading = _rotate(heading, r.uniform(0, 2 * np.pi))
    if label in (0, 1):
        radius = r.uniform(0.18, 0.28) * size
        turns = r.uniform(0.75, 1.25) * (1 if label == 0 else -1)  # image y points down: +1 = cw
        angle = r.uniform(0, 2 * np.pi) + 2 * np.pi * turns * p
        xy = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    elif label in (2, 3):
        leg1, leg2 = r.uniform(0.2, 0.35, size=2) * size
        turn = -np.pi / 2 if label == 2 else np.pi / 2  # y down: -90 deg turns left on screen
        corner = leg1 * heading
        end = corner + leg2 * _rotate(heading, turn)
        xy = _piecewise(p, [(0.0, np.zeros(2)), (0.3, corner), (0.7, corner), (1.0, end)])
    else:
        far = r.uniform(0.35, 0.6) * size * heading
        switch = 0.25 if label == 4 else 0.75  # the out leg takes 1/4 or 3/4 of the action
        xy = _piecewise(p, [(0.0, np.zeros(2)), (switch, far), (1.0, np.zeros(2))])
    lo, hi = xy.min(0), xy.max(0)  # place the whole path at random inside the frame
    room = (size - 1 - 2 * MARGIN) - (hi - lo)
    offset = MARGIN - lo + r.uniform(0, 1, size=2) * np.maximum(room, 0)
    return xy + offset


def render(centres: np.ndarray, size: int, sigma: float, amplitude: float) -> np.ndarray:
    """Frames [T, size, size] float: one Gaussian blob per frame at the given (x, y)."""
    grid = np.arange(size, dtype=np.float64)
    dx = grid[None, None, :] - centres[:, 0, None, None]
    dy = grid[None, :, None] - centres[:, 1, None, None]
    return amplitude * np.exp(-(dx**2 + dy**2) / (2 * sigma**2))


def make_clip(
    label: int, stride: int, frames: int, size: int, noise: float, r: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One clip: uint8 frames [T, size, size] and the blob centres [T, 2]."""
    duration = r.uniform(0.7, 1.0) * frames  # underlying steps the action takes
    span = frames * stride  # underlying steps the clip covers
    onset = r.uniform(0, span - duration)
    t = stride * np.arange(frames) + r.uniform(0, stride)  # sampling times of the frames
    p = np.clip((t - onset) / duration, 0.0, 1.0)
    centres = trajectory(label, p, r, size)
    video = render(centres, size, sigma=r.uniform(0.9, 1.4), amplitude=r.uniform(0.6, 1.0))
    video = video + noise * r.standard_normal(video.shape)
    return np.round(np.clip(video, 0, 1) * 255).astype(np.uint8), centres.astype(np.float32)


def make_split(
    n: int, frames: int, size: int, strides: list[int], noise: float, r: np.random.Generator
) -> dict[str, np.ndarray]:
    """n clips with balanced classes (then shuffled) and strides drawn uniformly."""
    labels = r.permutation(np.arange(n) % len(CLASSES))
    stride = r.choice(np.asarray(strides), size=n)
    clips = [make_clip(int(c), int(s), frames, size, noise, r) for c, s in zip(labels, stride)]
    return {
        "x": np.stack([c[0] for c in clips]),
        "y": labels.astype(np.int64),
        "stride": stride.astype(np.int64),
        "centres": np.stack([c[1] for c in clips]),
    }


def generate(seed: int, p: dict) -> dict[str, np.ndarray]:
    """All splits, each from its own seeded stream: {"x_train": uint8 [N, T, H, W], ...}."""
    out = {}
    for split in SPLITS:
        r = named_rng(seed, "random_dilation", "data", split)
        d = make_split(p[split], p["frames"], p["size"], p["strides"], p["noise"], r)
        out.update({f"{k}_{split}": v for k, v in d.items()})
    return out


def position_cells(centres: np.ndarray, size: int) -> np.ndarray:
    """The blob's cell on a GRID x GRID grid, a frame-level class in 0..GRID**2-1."""
    cell = np.clip((centres / size * GRID).astype(np.int64), 0, GRID - 1)
    return cell[..., 1] * GRID + cell[..., 0]


KEYS = tuple(f"{k}_{s}" for s in SPLITS for k in ("x", "y", "stride", "centres"))


def load(path, split: str):
    """(videos float32 [N, 1, T, H, W] in [0, 1], labels int64, strides int64, centres) as
    torch tensors / numpy arrays."""
    import torch

    from dlrepro.core.io import read_npz

    d = read_npz(path, KEYS)
    x = torch.from_numpy(d[f"x_{split}"]).unsqueeze(1).float().div_(255.0)
    return x, torch.from_numpy(d[f"y_{split}"]), d[f"stride_{split}"], d[f"centres_{split}"]
