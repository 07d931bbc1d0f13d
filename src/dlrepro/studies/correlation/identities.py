"""The identities: F.conv2d(x, w) == correlate2d(x, w) == convolve2d(x, flip(w)) != convolve2d(x, w).

All in float64, so an identity that holds shows as rounding noise (~1e-15) and one that does
not as a difference of the order of the values (O(1))."""

from __future__ import annotations

import numpy as np


def nn_conv2d(image: np.ndarray, kernel: np.ndarray, padding: int = 0) -> np.ndarray:
    """A neural-network "convolution": torch.nn.functional.conv2d, one channel, float64."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.asarray(image, np.float64))[None, None]
    w = torch.from_numpy(np.asarray(kernel, np.float64))[None, None]
    return F.conv2d(x, w, padding=padding)[0, 0].numpy()


def flip(kernel: np.ndarray) -> np.ndarray:
    """The kernel rotated by 180 degrees (both axes reversed)."""
    return np.asarray(kernel)[::-1, ::-1]


def differences(image: np.ndarray, kernel: np.ndarray) -> dict[str, float]:
    """max |conv2d - X| for X = correlate2d, convolve2d, convolve2d(flipped kernel), all
    'valid' (conv2d without padding); plus padding=k//2 vs mode 'same' for odd kernels."""
    from scipy.signal import convolve2d, correlate2d

    ours = nn_conv2d(image, kernel)
    out = {
        "correlate2d": float(np.abs(ours - correlate2d(image, kernel, mode="valid")).max()),
        "convolve2d": float(np.abs(ours - convolve2d(image, kernel, mode="valid")).max()),
        "convolve2d_flipped": float(
            np.abs(ours - convolve2d(image, flip(kernel), mode="valid")).max()
        ),
    }
    kh, kw = np.shape(kernel)
    if kh % 2 and kw % 2 and kh == kw:  # conv2d pads symmetrically: 'same' only for odd k
        same = nn_conv2d(image, kernel, padding=kh // 2)
        out["correlate2d_same"] = float(
            np.abs(same - correlate2d(image, kernel, mode="same")).max()
        )
    return out


def random_case(seed: int, image_shape, kernel_shape) -> tuple[np.ndarray, np.ndarray]:
    """A standard-normal image and kernel (float64) from one seeded stream."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(tuple(image_shape)), rng.standard_normal(tuple(kernel_shape))


def asymmetric_example(size: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """An image of two bright points and a bar, and an L-shaped kernel (not symmetric under a
    180-degree turn). A point's response is the kernel itself under convolution and the kernel
    flipped under correlation, so the two differ visibly."""
    image = np.zeros((size, size))
    image[3, 3] = image[size - 5, size - 4] = 1.0
    image[size - 4, 2:6] = 1.0
    kernel = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, -1.0]])
    return image, kernel
