"""Visualizing convolution kernels (blog post 002): a small MNIST CNN with two stacked 3x3
convolutions, its raw kernels, the 5x5 effective kernels of the stack, the first layer over
training (GIF), and the kernels of the slash study's trained CNN."""
