"""Ensembling against adversarial instances (blog post 003): FGSM on an MNIST ConvNet,
adversarial training, and uniform / bootstrap ensembles combined by mean or max."""
