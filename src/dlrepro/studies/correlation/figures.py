"""The asymmetric-kernel picture: conv2d beside correlate2d, convolve2d and convolve2d with the
kernel flipped, each titled with its largest difference from conv2d."""

from __future__ import annotations

import numpy as np


def asymmetric(image: np.ndarray, kernel: np.ndarray, path) -> None:
    import matplotlib.pyplot as plt
    from scipy.signal import convolve2d, correlate2d

    from dlrepro.core.plotting import save_png, symmetric_limits
    from dlrepro.studies.correlation.identities import flip, nn_conv2d

    # 'same' size (conv2d padding k//2) so every panel lines up with the image
    ours = nn_conv2d(image, kernel, padding=kernel.shape[0] // 2)
    others = [
        ("scipy correlate2d", correlate2d(image, kernel, mode="same")),
        ("scipy convolve2d", convolve2d(image, kernel, mode="same")),
        ("scipy convolve2d,\nkernel flipped", convolve2d(image, flip(kernel), mode="same")),
    ]
    panels = [("image", image), ("kernel", kernel), ("torch conv2d", ours)]
    panels += [
        (f"{name}\nmax |diff to conv2d| = {np.abs(out - ours).max():.3g}", out)
        for name, out in others
    ]
    lo, hi = symmetric_limits(np.concatenate([p.ravel() for _, p in panels]))
    fig, axes = plt.subplots(1, len(panels), figsize=(2.9 * len(panels), 3.2))
    for ax, (title, values) in zip(axes, panels):
        shown = ax.imshow(values, cmap="RdBu_r", vmin=lo, vmax=hi)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=axes, shrink=0.7)
    save_png(fig, path)
