"""Seeds to latents and latents to pictures: how the app names and draws a GAN's samples.

Kept apart from model.py because a seed names its latents through numpy's generator (see
`latents`), and model.py must need nothing but torch, to run outside the app in an export.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from core.labs.gan.model import GAN


def to_unit_range(images: torch.Tensor) -> np.ndarray:
    """Generator output in [-1, 1], (N, 1, 28, 28) -> numpy (N, 28, 28) in [0, 1]."""
    return ((images.detach().float().cpu()[:, 0] + 1.0) / 2.0).clamp(0.0, 1.0).numpy()


def seeded_latents(model: GAN, seed: int, n: int) -> torch.Tensor:
    """The n latents a seed names for this model (see `latents`)."""
    return latents(seed, n, model.latent_dim, model.classes)


def latents(seed: int, n: int, latent_dim: int, classes: int = 0) -> torch.Tensor:
    """n latent vectors drawn from N(0, I) by a generator seeded with `seed`: the same seed always
    gives the same vectors, so a seed names a sample (and row 0 is `latent_from_seed(seed)`).
    With `classes`, each row also gets a one-hot class vector, the classes equally likely."""
    # numpy fills row after row, so the first k rows of n are the k rows of k (torch's
    # vectorised randn draws differently for different sizes). The class comes from one more
    # normal number per row, for the same reason: its CDF is uniform on (0, 1).
    extra = 1 if classes else 0
    rows = np.random.default_rng(int(seed)).standard_normal((n, latent_dim + extra), dtype=np.float32)
    z = torch.from_numpy(rows[:, :latent_dim].copy())
    if not classes:
        return z
    uniform = torch.special.ndtr(torch.from_numpy(rows[:, latent_dim]))
    labels = (uniform * classes).long().clamp(0, classes - 1)
    return torch.cat([z, F.one_hot(labels, classes).float()], dim=1)


@torch.no_grad()
def generate_tensor(model: GAN, z: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """Latents -> (N, 28, 28) images in [0, 1], in eval mode (batch norm uses its running
    statistics, so a sample does not depend on what else is in the batch)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    outputs = [to_unit_range(model(z[i : i + batch_size].to(device))) for i in range(0, len(z), batch_size)]
    model.train(was_training)
    return np.concatenate(outputs) if outputs else np.zeros((0, 28, 28), dtype=np.float32)
