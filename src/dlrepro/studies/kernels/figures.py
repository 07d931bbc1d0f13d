"""Kernel pictures: mosaics of kernels on a diverging colour map centred on 0 (red +, blue -),
as PNG figures and as an animated GIF of the first layer over training."""

from __future__ import annotations

import io

import numpy as np

CMAP = "RdBu_r"  # diverging: 0 is white, sign is hue, magnitude is saturation
GAP = "0.35"  # dark grey between kernels: never mistaken for a near-zero (white) tap


def as_rows(kernels: np.ndarray, per_row: int) -> np.ndarray:
    """[n, kh, kw] -> [ceil(n / per_row), per_row, kh, kw], padded with NaN (blank) kernels."""
    n, kh, kw = kernels.shape
    rows = -(-n // per_row)
    padded = np.full((rows * per_row, kh, kw), np.nan)
    padded[:n] = kernels
    return padded.reshape(rows, per_row, kh, kw)


def mosaic(grid: np.ndarray, gap: int = 1) -> np.ndarray:
    """[R, C, kh, kw] -> one 2-D array of the kernels with NaN gaps between them."""
    rows, cols, kh, kw = grid.shape
    out = np.full((rows * (kh + gap) - gap, cols * (kw + gap) - gap), np.nan)
    for r in range(rows):
        for c in range(cols):
            out[r * (kh + gap) : r * (kh + gap) + kh, c * (kw + gap) : c * (kw + gap) + kw] = grid[
                r, c
            ]
    return out


def kernel_panels(
    panels: list[tuple[str, np.ndarray]], path, shared_limits: bool, suptitle: str = ""
) -> None:
    """One mosaic per panel (title, [R, C, kh, kw]); colour limits symmetric about 0, shared
    by all panels (magnitudes comparable) or per panel (structure of each visible)."""
    import matplotlib.pyplot as plt

    from dlrepro.core.plotting import save_png, symmetric_limits

    images = [(title, mosaic(grid)) for title, grid in panels]
    shared = symmetric_limits(np.concatenate([m[~np.isnan(m)] for _, m in images]))
    widths = [m.shape[1] for _, m in images]
    height = max(m.shape[0] for _, m in images)
    # ~0.2 inch per tap, plus room for titles and colour bars
    fig, axes = plt.subplots(
        1,
        len(images),
        squeeze=False,
        layout="constrained",
        figsize=(min(0.2 * sum(widths) + 1.3 * len(images), 16), min(0.2 * height + 1.0, 14)),
        gridspec_kw={"width_ratios": widths},
    )
    cmap = plt.get_cmap(CMAP).with_extremes(bad=GAP)
    for ax, (title, image) in zip(axes[0], images):
        lo, hi = shared if shared_limits else symmetric_limits(image[~np.isnan(image)])
        shown = ax.imshow(image, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(shown, ax=ax, shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    save_png(fig, path)


def palette() -> list[int]:
    """256 RGB entries: 0..253 the colour map, 254 the progress bar, 255 gaps and background."""
    import matplotlib.pyplot as plt

    rgb = (plt.get_cmap(CMAP)(np.linspace(0, 1, 254))[:, :3] * 255).round().astype(np.uint8)
    return [*rgb.ravel().tolist(), 0, 0, 0, 89, 89, 89]  # bar black, gaps GAP grey


def gif_frames(snapshots: np.ndarray, per_row: int, tap_px: int) -> list[np.ndarray]:
    """Palette-index frames [H, W] uint8 of kernels [T, n, kh, kw], one colour scale for all
    frames (so a kernel growing shows as colour deepening), a progress bar along the bottom."""
    from dlrepro.core.plotting import symmetric_limits

    lo, hi = symmetric_limits(snapshots)
    frames = []
    for t, kernels in enumerate(snapshots):
        image = mosaic(as_rows(kernels, per_row))
        index = np.where(
            np.isnan(image),
            255,
            np.clip(np.round((np.nan_to_num(image) - lo) / (hi - lo) * 253), 0, 253),
        )
        index = np.kron(index, np.ones((tap_px, tap_px))).astype(np.uint8)
        bar = np.full((tap_px // 3, index.shape[1]), 255, np.uint8)
        bar[:, : round(index.shape[1] * t / max(len(snapshots) - 1, 1))] = 254
        frames.append(np.concatenate([index, bar]))
    return frames


def gif_bytes(frames: list[np.ndarray], frame_ms: int) -> bytes:
    """An endlessly looping GIF with a fixed palette and frame duration: bytes depend only
    on the frames (Pillow writes no timestamps; optimize=False keeps the palette as given)."""
    from PIL import Image

    images = []
    for frame in frames:
        image = Image.fromarray(frame, mode="P")
        image.putpalette(palette())
        images.append(image)
    buf = io.BytesIO()
    images[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=frame_ms,
        loop=0,
        optimize=False,
    )
    return buf.getvalue()
