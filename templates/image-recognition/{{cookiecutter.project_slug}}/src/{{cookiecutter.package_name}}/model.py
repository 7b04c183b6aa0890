"""A small convolutional network: two convolution blocks and a classifier (~150k weights)."""

from __future__ import annotations

from torch import nn


class SmallCNN(nn.Module):
    """Conv(32) -> Conv(64) -> max-pool -> 4 x 4 average pool -> dense(128) -> classes.

    The adaptive pooling makes the same network work for 8 x 8 digits, 28 x 28
    MNIST and larger images of your own.
    """

    def __init__(self, n_classes: int, channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(0.25),
            nn.AdaptiveAvgPool2d(4),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 4 * 4, 128),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(128, n_classes),
        )

    def forward(self, x):
        """Class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
