"""Convolution filters in neural networks are actually correlation filters (blog post 002):
torch.nn.functional.conv2d against scipy.signal.correlate2d and convolve2d, numerically."""
