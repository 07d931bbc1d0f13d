"""BesNet in miniature: a 2D bottleneck ResNet on frames, its 3D inflation with temporally
dilated 3x1x1 convolutions, and the order-free frame-feature MLP baseline.

The 2D and 3D nets are built by the same code (`Backbone`), so their state_dict keys match
and `inflate` only has to reshape the convolution weights:
    1x1 conv [o, i, 1, 1] -> 3x1x1 [o, i, 3, 1, 1]: copied 3 times along time, divided by 3
    3x3 conv [o, i, 3, 3] -> 1x3x3 [o, i, 1, 3, 3]
    batch norm: copied.
Layer order is the standard ResNet one (conv -> BN -> ReLU; the post says "ReLU followed by
Batch-Normalization", but BesNet starts from ResNet-50's ImageNet weights, which use this one).

Speed on CPU (benchmarks/random_dilation_step.py): the 3D net's activations are channels-last
([N, T, H, W, C] in memory), where oneDNN's convolutions and torch's batch norm are faster and a
per-frame pool is a 2D pool over frames folded into the batch at no copy. That changes the order
of float sums (bytes, not the maths): torch's channels-last batch norm sums its statistics
sequentially (relative error ~1e-5 against float64 at the stem's size, ~5e-8 in NCTHW).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import DlreproError
from dlrepro.studies.random_dilation.variants import DILATIONS


class TemporalConv(nn.Conv3d):
    """A 3x1x1 convolution along time with dilation d and replicate "same" padding (d frames
    each side), so T is unchanged for any T and d.

    mode 1 or 2: that dilation always. mode "random": in training, d is drawn from {1, 2} for
    this layer at each forward pass (one mini-batch) from `generator` (a seeded torch.Generator
    set by the owner, so training is deterministic); in eval, the layer averages its outputs
    over d = 1 and 2, as the post describes for test time."""

    def __init__(self, c_in: int, c_out: int, mode: int | str = 1):
        super().__init__(c_in, c_out, kernel_size=(3, 1, 1), bias=False)
        if mode not in (*DILATIONS, "random"):
            raise DlreproError(f"TemporalConv: mode must be 1, 2 or 'random', got {mode!r}")
        self.mode = mode
        self.generator: torch.Generator | None = None
        self.drawn: list[int] = []  # the dilations drawn in training (for tests and logs)

    def at_dilation(self, x: torch.Tensor, d: int) -> torch.Tensor:
        x = F.pad(x, (0, 0, 0, 0, d, d), mode="replicate")
        return F.conv3d(x, self.weight, None, dilation=(d, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode != "random":
            return self.at_dilation(x, self.mode)
        if self.training:
            if self.generator is None:
                raise DlreproError("TemporalConv: random dilation needs a seeded generator")
            d = DILATIONS[int(torch.randint(len(DILATIONS), (1,), generator=self.generator))]
            self.drawn.append(d)
            return self.at_dilation(x, d)
        return sum(self.at_dilation(x, d) for d in DILATIONS) / len(DILATIONS)


class FramePool(nn.Module):
    """2x2 average pool of each frame, = AvgPool3d((1, 2, 2)), as a 2D pool over frames folded
    into the batch: a free view of a channels-last video, and ~4x faster than the 3D pool."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, t, h, w = x.shape
        out = F.avg_pool2d(x.transpose(1, 2).reshape(n * t, c, h, w), 2)
        return out.view(n, t, *out.shape[1:]).transpose(1, 2)


class Bottleneck(nn.Module):
    """1x1 -> 3x3 -> 1x1 (each conv -> BN, ReLU between) + identity shortcut, then ReLU."""

    def __init__(self, width: int, bottleneck: int, conv1x1, conv3x3, norm):
        super().__init__()
        self.conv1, self.bn1 = conv1x1(width, bottleneck), norm(bottleneck)
        self.conv2, self.bn2 = conv3x3(bottleneck, bottleneck), norm(bottleneck)
        self.conv3, self.bn3 = conv1x1(bottleneck, width), norm(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(x + self.bn3(self.conv3(out)))


class Backbone(nn.Module):
    """Stem (3x3 conv, 2x spatial average pool) + stages of bottlenecks with 2x spatial
    average pooling between them.

    video=False: 2D, input [N, 1, H, W]. video=True: input [N, 1, T, H, W]; 3x3 convs become
    1x3x3 (spatial only), 1x1 convs become TemporalConv (3x1x1, the given dilation mode);
    nothing ever pools or strides along time, so the output keeps T."""

    def __init__(
        self,
        width: int,
        bottleneck: int,
        stages: list[int],
        video: bool = False,
        dilation: int | str = 1,
    ):
        super().__init__()
        if video:

            def conv3x3(ci, co):
                return nn.Conv3d(ci, co, (1, 3, 3), padding=(0, 1, 1), bias=False)

            def conv1x1(ci, co):
                return TemporalConv(ci, co, dilation)

            norm, pool = nn.BatchNorm3d, FramePool
        else:

            def conv3x3(ci, co):
                return nn.Conv2d(ci, co, 3, padding=1, bias=False)

            def conv1x1(ci, co):
                return nn.Conv2d(ci, co, 1, bias=False)

            norm, pool = nn.BatchNorm2d, (lambda: nn.AvgPool2d(2))
        # stem downsamples 2x at once, as ResNet's does (4x there): cheaper, blob still resolved
        self.stem = nn.Sequential(conv3x3(1, width), norm(width), nn.ReLU(), pool())
        layers: list[nn.Module] = []
        for i, blocks in enumerate(stages):
            if i:
                layers.append(pool())
            layers += [Bottleneck(width, bottleneck, conv1x1, conv3x3, norm) for _ in range(blocks)]
        self.stages = nn.Sequential(*layers)
        self.width = width
        self.video = video

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.video:
            # every layer's output then stays channels-last. Not x.contiguous(memory_format=...):
            # with one channel both layouts fit x's strides and it keeps them (oneDNN: 3x slower)
            x = torch.empty_like(x, memory_format=torch.channels_last_3d).copy_(x)
        return self.stages(self.stem(x))


class FrameNet(nn.Module):
    """The 2D net, pretrained on single frames (the stand-in for ImageNet weights)."""

    def __init__(self, width: int, bottleneck: int, stages: list[int], n_out: int):
        super().__init__()
        self.features = Backbone(width, bottleneck, stages)
        self.head = nn.Linear(width, n_out)

    def frame_features(self, x: torch.Tensor) -> torch.Tensor:
        """[N, 1, H, W] -> spatially averaged features [N, width]."""
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.frame_features(x))


class BesNet(nn.Module):
    """The inflated 3D net: backbone -> spatial average pool -> temporal max pool -> linear.
    Works for any number of frames T (the temporal dimension is kept until the max pool)."""

    def __init__(
        self, width: int, bottleneck: int, stages: list[int], n_classes: int, dilation: int | str
    ):
        super().__init__()
        self.features = Backbone(width, bottleneck, stages, video=True, dilation=dilation)
        self.head = nn.Linear(width, n_classes)

    def temporal_convs(self) -> list[TemporalConv]:
        return [m for m in self.modules() if isinstance(m, TemporalConv)]

    def set_generator(self, generator: torch.Generator) -> None:
        for conv in self.temporal_convs():
            conv.generator = generator

    def frame_features(self, x: torch.Tensor) -> torch.Tensor:
        """[N, 1, T, H, W] -> per-frame features [N, width, T] (spatial average)."""
        return self.features(x).mean(dim=(3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.frame_features(x).amax(dim=2))


def inflate(state_2d: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A 2D backbone's state_dict -> the 3D backbone's (see the module docstring)."""
    state_3d = {}
    for key, value in state_2d.items():
        if value.ndim == 4 and value.shape[2:] == (1, 1):
            value = value.unsqueeze(2).repeat(1, 1, 3, 1, 1) / 3
        elif value.ndim == 4:
            value = value.unsqueeze(2)
        state_3d[key] = value.clone()
    return state_3d


class FrameMLP(nn.Module):
    """Baseline: per-frame features of the frozen 2D net, pooled over time by mean and max
    (both order-free, so the model cannot see the order of the frames), then an MLP."""

    def __init__(self, width: int, hidden: int, n_classes: int):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(2 * width, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """features [N, width, T] -> logits [N, n_classes]."""
        return self.mlp(torch.cat([features.mean(dim=2), features.amax(dim=2)], dim=1))


@torch.no_grad()
def frame_features(net: FrameNet, videos: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """The frozen 2D net's features of every frame: videos [N, 1, T, H, W] -> [N, width, T]."""
    net.eval()
    n, _, t, h, w = videos.shape
    frames = videos.transpose(1, 2).reshape(n * t, 1, h, w)
    device = next(net.parameters()).device
    out = torch.cat(
        [
            net.frame_features(frames[i : i + batch_size].to(device)).cpu()
            for i in range(0, len(frames), batch_size)
        ]
    )
    return out.reshape(n, t, -1).transpose(1, 2).contiguous()
