"""SKM study ("SKM Embedding of MNIST", post 002; only its teaser survives)."""

HEADS = ("softmax", "skm")  # the K-way softmax baseline and the Smooth Kernel Machine head
