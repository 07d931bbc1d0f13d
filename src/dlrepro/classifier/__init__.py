"""The image-classifier toolkit shared by studies: MNIST as tensors (mnist), one training loop
with an adversarial-loss hook plus prediction and accuracy (train), FGSM (fgsm), and the nets
more than one study uses (convnet, vanilla_cnn, fully_connected). Studies import from here, never from each other."""
