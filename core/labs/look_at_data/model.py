"""The course's MLP of Lab Work 1 (its `WritingClassify`), as the course's code builds it.

784 pixels -> 256 -> 128 -> 64 -> 10 classes; each hidden layer is Linear -> BatchNorm -> ReLU ->
Dropout, and the weights of every Linear start Xavier-uniform, as in the course. The course's
text names hidden layers of 512 and 256; its code, which produced its figures, uses these.
The model returns logits (cross-entropy applies the softmax), and reads pixels in [0, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class CourseMLP(nn.Module):
    def __init__(self, dropout: float = 0.2, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 256)
        self.bn1 = nn.BatchNorm1d(256)
        self.fc2 = nn.Linear(256, 128)
        self.bn2 = nn.BatchNorm1d(128)
        self.fc3 = nn.Linear(128, 64)
        self.bn3 = nn.BatchNorm1d(64)
        self.fc4 = nn.Linear(64, classes)
        self.dropout = nn.Dropout(dropout)
        for layer in (self.fc1, self.fc2, self.fc3, self.fc4):
            nn.init.xavier_uniform_(layer.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)  # (N, 28, 28) or (N, 1, 28, 28) -> (N, 784)
        x = self.dropout(F.relu(self.bn1(self.fc1(x))))
        x = self.dropout(F.relu(self.bn2(self.fc2(x))))
        x = self.dropout(F.relu(self.bn3(self.fc3(x))))
        return self.fc4(x)
