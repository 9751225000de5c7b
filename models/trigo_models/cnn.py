"""A small 2-D CNN for 8x8x1 calorimeter-crystal images."""

import torch
from torch import nn


class SmallCNN(nn.Module):
    """Conv(1->4,3x3,pad 1)+BN+ReLU, MaxPool 2, Conv(4->8,3x3)+ReLU, Flatten,
    Linear(32->3), Softmax.

    Input  : [N, 1, 8, 8] float32 (NCHW, as PyTorch exports; N = event axis).
    Output : [N, 3] class probabilities (rows sum to 1).

    Shapes: 1x8x8 -> 4x8x8 -> 4x4x4 -> 8x2x2 -> 32 -> 3.
    """

    IMAGE_SIZE = 8
    N_CLASSES = 3

    def __init__(self, n_classes: int = N_CLASSES):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 8, kernel_size=3),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(8 * 2 * 2, n_classes)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-softmax scores (used for training with CrossEntropyLoss)."""
        return self.classifier(self.features(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.softmax(self.logits(x))
