"""The course's MNIST CNN recipe (MM 811, question 1), as the course wrote it.

`ConvNet`, `train_epoch` and `evaluate` are the course's model.py and train_eval.py, kept line
for line (type hints added); `build_recipe` is its main.py up to the training loop. Two things
differ, neither of which changes what is trained:
- the data comes from a given directory with `download=False`, since the benchmark runs offline;
- the best model is not saved with `torch.save` after each epoch (disk writes are not training).
The benchmark drives the epochs itself (see `digits_speed`), so it can evaluate between steps
with the clock paused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

BATCH_SIZE = 128
LEARNING_RATE = 0.01
EPOCHS = 5  # main.py's default


# --- model.py ------------------------------------------------------------------------------
class ConvNet(nn.Module):
    def __init__(self, in_channels: int = 1, num_classes: int = 10):
        super().__init__()
        # Feature extraction layers
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, kernel_size=3, padding=1),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((4, 4)),
        )
        # Classification layers
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.4),
            nn.Linear(128 * 4 * 4, 256),
            nn.ReLU(inplace=True),
            nn.Dropout(0.3),
            nn.Linear(256, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.classifier(x)
        return x


# --- train_eval.py -------------------------------------------------------------------------
def train_epoch(
    model: nn.Module,
    device: torch.device,
    dataloader: Iterable,
    optimizer: optim.Optimizer,
    criterion: nn.Module,
) -> tuple[float, float]:
    """Train the model for one epoch on the training dataset."""
    model.train()
    total_loss, correct, total = 0.0, 0, 0

    for images, targets in dataloader:
        images, targets = images.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()

        total_loss += loss.item() * images.size(0)
        _, pred = outputs.max(1)
        correct += pred.eq(targets).sum().item()
        total += images.size(0)

    avg_loss = total_loss / total
    acc = correct / total * 100.0
    return avg_loss, acc


def evaluate(
    model: nn.Module, device: torch.device, dataloader: Iterable, criterion: nn.Module
) -> tuple[float, float]:
    """Evaluate model on validation or test dataset."""
    model.eval()
    total_loss, correct, total = 0.0, 0, 0

    with torch.no_grad():
        for images, targets in dataloader:
            images, targets = images.to(device), targets.to(device)
            outputs = model(images)
            loss = criterion(outputs, targets)

            total_loss += loss.item() * images.size(0)
            _, pred = outputs.max(1)
            correct += pred.eq(targets).sum().item()
            total += images.size(0)

    avg_loss = total_loss / total
    acc = correct / total * 100.0
    return avg_loss, acc


# --- main.py, up to the epoch loop ---------------------------------------------------------
@dataclass
class Recipe:
    model: ConvNet
    device: torch.device
    train_loader: DataLoader
    test_loader: DataLoader
    optimizer: optim.Optimizer
    scheduler: optim.lr_scheduler.LRScheduler
    criterion: nn.Module


def build_recipe(data_dir: str, heldout_limit: int | None = None) -> Recipe:
    """Everything main.py sets up before its epoch loop. `heldout_limit` shortens the held-out
    set for --quick runs only."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    transform = transforms.Compose(
        [
            transforms.Resize((32, 32)),
            transforms.ToTensor(),
            transforms.Normalize((0.1307,), (0.3081,)),
        ]
    )
    train_ds = datasets.MNIST(root=data_dir, train=True, download=False, transform=transform)
    test_ds = datasets.MNIST(root=data_dir, train=False, download=False, transform=transform)
    if heldout_limit is not None:
        test_ds = Subset(test_ds, list(range(heldout_limit)))

    train_loader = DataLoader(train_ds, batch_size=BATCH_SIZE, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=BATCH_SIZE, shuffle=False)

    model = ConvNet(in_channels=1, num_classes=10).to(device)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return Recipe(model, device, train_loader, test_loader, optimizer, scheduler, criterion)
