"""The hls4ml jet-tagging MLP: 16 -> 64 -> 32 -> 32 -> 5 with a softmax head."""

import torch
from torch import nn


class JetTagger(nn.Module):
    """hls4ml jet tagger (g, q, W, Z, t): Linear+ReLU x3, Linear, Softmax.

    Input  : [N, 16] float32 jet features (first axis = event axis).
    Output : [N, 5]  class probabilities (rows sum to 1).
    """

    N_FEATURES = 16
    N_CLASSES = 5

    def __init__(self, n_features: int = N_FEATURES, n_classes: int = N_CLASSES):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, 64),
            nn.ReLU(),
            nn.Linear(64, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, n_classes),
        )
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-softmax scores (used for training with CrossEntropyLoss)."""
        return self.net(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.softmax(self.logits(x))
