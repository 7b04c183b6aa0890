"""A small convolutional network: three convolution layers with batch norm, and a linear head."""

from __future__ import annotations

from torch import nn

WIDTH = 24  # filters of the first two layers; the third has twice as many


def _conv_block(inputs: int, outputs: int) -> list[nn.Module]:
    # No bias: the batch norm that follows adds its own shift.
    return [
        nn.Conv2d(inputs, outputs, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(),
    ]


class SmallCNN(nn.Module):
    """Conv(24) -> Conv(24) -> max-pool -> Conv(48) -> 2 x 2 average pool -> dropout -> classes.

    Each convolution is followed by batch norm and ReLU. The adaptive pooling makes
    the same network work for 8 x 8 digits, 28 x 28 MNIST and larger images of your
    own. About 18,000 weights for the digits: small enough to train in seconds on
    one CPU thread.
    """

    def __init__(self, n_classes: int, channels: int = 1, width: int = WIDTH) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *_conv_block(channels, width),
            *_conv_block(width, width),
            nn.MaxPool2d(2),
            *_conv_block(width, 2 * width),
            nn.AdaptiveAvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.3),
            nn.Linear(2 * width * 2 * 2, n_classes),
        )

    def forward(self, x):
        """Class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
