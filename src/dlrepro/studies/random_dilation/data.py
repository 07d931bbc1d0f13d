"""A synthetic video-action set standing in for Kinetics (not available offline), with classes
that CONTEXT decides and classes that MOTION decides.

One bright Gaussian blob (the actor) moves in a small grayscale frame. Twelve classes:

Motion classes (0-5): plain background; the blob's motion pattern is the class. They are three
pairs whose two members are TIME REVERSALS of each other, so a single frame, or the unordered
bag of a clip's frames, says which pair a clip is from but not which member:

    0 / 1  circle clockwise / counter-clockwise        (a short-range cue: 3 frames show it)
    2 / 3  straight, long pause, then turn left / right (needs context across the pause)
    4 / 5  out fast + back slow / out slow + back fast  (compares speeds over the whole clip)

Context classes (6-11): a static object (the "scene": a bar at 0, 45, 90 or 135 degrees, a ring
or a plus) stands in every frame and is the class; the blob moves with one of the six motion
patterns drawn at random, so the motion says nothing about which context class it is. Any
single frame decides these classes. The object is drawn like the actor (a Gaussian profile of
the same brightness range), so neither cue is made easier by its contrast.

So an order-free model can be right on every context class and on half of the motion classes:
its ceiling is 9/12 = 0.75 by construction (chance 1/12); an order-aware model can reach 1.

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

MOTIONS = (
    "circle cw",
    "circle ccw",
    "turn left",
    "turn right",
    "out fast back slow",
    "out slow back fast",
)
SCENES = ("bar 0 deg", "bar 45 deg", "bar 90 deg", "bar 135 deg", "ring", "plus")
CLASSES = (*MOTIONS, *(f"scene: {s}" for s in SCENES))
GROUPS = ("context", "motion")
SPLITS = ("train", "val", "test")
GRID = 4  # frame-level target for 2D pretraining: the blob's cell on a GRID x GRID grid ...
# ... and which static object the frame shows (0 = none, 1.. = SCENES): what ImageNet labels
# are to the post's frame features, labels of single frames
FRAME_TARGETS = GRID**2 * (len(SCENES) + 1)
MARGIN = 2.0  # blob centres and scene objects stay this far from the border


def is_context(labels) -> np.ndarray:
    """True for the context classes (a static object decides), False for the motion classes."""
    return np.asarray(labels) >= len(MOTIONS)


def _rotate(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _piecewise(p: np.ndarray, knots: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Positions at progress p in [0, 1], linear between (progress, point) knots."""
    ps = [k[0] for k in knots]
    pts = np.stack([k[1] for k in knots])
    return np.stack([np.interp(p, ps, pts[:, 0]), np.interp(p, ps, pts[:, 1])], axis=1)


def trajectory(label: int, p: np.ndarray, r: np.random.Generator, size: int) -> np.ndarray:
    """Blob centres [len(p), 2] (x, y) for motion pattern `label` (0-5, MOTIONS) at action
    progress p (0 = start, 1 = end; constant before and after). Shapes are drawn at random,
    then shifted inside."""
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


def _segment_distance(px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of every pixel (px, py) to the segment a-b."""
    d = b - a
    t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / (d @ d), 0.0, 1.0)
    return np.hypot(px - a[0] - t * d[0], py - a[1] - t * d[1])


def scene_object(kind: int, r: np.random.Generator, size: int) -> np.ndarray:
    """The static object of context class `kind` (index into SCENES) as a frame [size, size]:
    a line drawing with a Gaussian profile, at a random place (whole, inside the margin), with
    the blob's brightness range."""
    extent = r.uniform(2.5, 3.5)  # half-length of a bar or arm, radius of the ring (pixels)
    centre = r.uniform(MARGIN + extent, size - 1 - MARGIN - extent, size=2)
    py, px = np.mgrid[0:size, 0:size].astype(np.float64)
    name = SCENES[kind]
    if name == "ring":
        dist = np.abs(np.hypot(px - centre[0], py - centre[1]) - extent)
    else:
        angles = [0.0, 90.0] if name == "plus" else [float(name.split()[1])]
        dist = np.min(
            [
                # y points down on screen: a 45-degree bar rises to the right
                _segment_distance(px, py, centre - extent * u, centre + extent * u)
                for u in (np.array([np.cos(a), -np.sin(a)]) for a in np.radians(angles))
            ],
            axis=0,
        )
    width, amplitude = r.uniform(0.6, 0.9), r.uniform(0.6, 1.0)
    return amplitude * np.exp(-(dist**2) / (2 * width**2))


def make_clip(
    label: int, stride: int, frames: int, size: int, noise: float, r: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """One clip of class `label`: uint8 frames [T, size, size], the blob centres [T, 2] and the
    motion pattern the blob follows (the label for a motion class, random for a context one)."""
    context = bool(is_context(label))
    motion = int(r.integers(len(MOTIONS))) if context else label
    duration = r.uniform(0.7, 1.0) * frames  # underlying steps the action takes
    span = frames * stride  # underlying steps the clip covers
    onset = r.uniform(0, span - duration)
    t = stride * np.arange(frames) + r.uniform(0, stride)  # sampling times of the frames
    p = np.clip((t - onset) / duration, 0.0, 1.0)
    centres = trajectory(motion, p, r, size)
    video = render(centres, size, sigma=r.uniform(0.9, 1.4), amplitude=r.uniform(0.6, 1.0))
    if context:  # the object stands still in every frame; where the blob crosses it, the brighter
        video = np.maximum(video, scene_object(label - len(MOTIONS), r, size)[None])
    video = video + noise * r.standard_normal(video.shape)
    clip = np.round(np.clip(video, 0, 1) * 255).astype(np.uint8)
    return clip, centres.astype(np.float32), motion


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
        "motion": np.array([c[2] for c in clips], dtype=np.int64),
    }


def generate(seed: int, p: dict) -> dict[str, np.ndarray]:
    """All splits, each from its own seeded stream: {"x_train": uint8 [N, T, H, W], ...}."""
    out = {}
    for split in SPLITS:
        r = named_rng(seed, "random_dilation", "data", split)
        d = make_split(p[split], p["frames"], p["size"], p["strides"], p["noise"], r)
        out.update({f"{k}_{split}": v for k, v in d.items()})
    return out


def scene_ids(labels) -> np.ndarray:
    """The static object a clip shows: 0 = none (motion classes), 1 + SCENES index otherwise."""
    labels = np.asarray(labels)
    return np.where(is_context(labels), labels - len(MOTIONS) + 1, 0)


def position_cells(centres: np.ndarray, size: int) -> np.ndarray:
    """The blob's cell on a GRID x GRID grid, a frame-level class in 0..GRID**2-1."""
    cell = np.clip((centres / size * GRID).astype(np.int64), 0, GRID - 1)
    return cell[..., 1] * GRID + cell[..., 0]


def frame_targets(centres: np.ndarray, labels: np.ndarray, size: int) -> np.ndarray:
    """Pretraining targets of every frame [N, T]: (object shown, blob cell) as one class in
    0..FRAME_TARGETS-1."""
    scene = np.broadcast_to(scene_ids(labels)[:, None], centres.shape[:2])
    return scene * GRID**2 + position_cells(centres, size)


KEYS = tuple(f"{k}_{s}" for s in SPLITS for k in ("x", "y", "stride", "centres", "motion"))


def load(path, split: str):
    """(videos float32 [N, 1, T, H, W] in [0, 1], labels int64, strides int64, centres) as
    torch tensors / numpy arrays."""
    import torch

    from dlrepro.core.io import read_npz

    d = read_npz(path, KEYS)
    x = torch.from_numpy(d[f"x_{split}"]).unsqueeze(1).float().div_(255.0)
    return x, torch.from_numpy(d[f"y_{split}"]), d[f"stride_{split}"], d[f"centres_{split}"]
