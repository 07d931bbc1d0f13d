"""The study's variants. Torch-free on purpose: the `dlrepro` parser imports it in every job."""

DILATIONS = (1, 2)
# variant -> dilation mode of every 3x1x1 layer
VARIANT_DILATION = {"no_dilation": 1, "dilation2": 2, "random_dilation": "random"}
VARIANTS = (*VARIANT_DILATION, "frame_mlp")
