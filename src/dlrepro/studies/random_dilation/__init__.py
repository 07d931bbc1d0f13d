"""BesNet's random temporal dilation ("Random Dilation Networks for Action Recognition in
Videos") on a synthetic video-action set."""
