"""Dilated convolution (blog post 003): receptive field of stacks of 3-tap convolutions with
dilation 1, 2, 4, 8, ... against undilated stacks, measured by input gradients and by formula,
against the parameter count; and the post's figure (red inputs, green receptive field)."""
