"""The shattered-gradients problem (Balduzzi et al. 2017), as reviewed in the post."""
