"""What the network makes of one photo, computed once and kept: the crop it sees, every stage's
maps, the class probabilities, and the maps of where it looked (Grad-CAM, occlusion,
integrated gradients, from captum).

A student moves a slider or picks another class many times for the same photo; the forward pass
(about 30 ms at 224 px on one core) and each attribution are kept in a small cache keyed by a
hash of the photo's pixels and the input size, so only the first look at a photo pays for it.
(Every model of this lab is the same pretrained network, so the model is not part of the key.)

Each computation runs on one thread (core.recurrent.one_thread): on a busy 2-core server, two
threads waiting on each other at every depthwise convolution made a forward pass 1.7 s instead
of 30-60 ms (benchmarks/inside_cnn_bench.py), and one thread per student lets two students'
photos be worked on at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion

from core import pretrained
from core.labs.base import TrainedModel
from core.recurrent import one_thread

# Occlusion: a grey square this share of the side slides over the photo by half its size
# (7 x 7 = 49 positions at any input size), and each drop in the class's score is noted.
OCCLUSION_WINDOW = 0.25
INTEGRATION_STEPS = 16  # integrated gradients: points on the path from a grey photo to this one


@dataclass(frozen=True)
class Sight:
    """One forward pass of one photo."""

    crop: np.ndarray  # (S, S, 3) in [0, 1]: the square the network sees
    stages: tuple[torch.Tensor, ...]  # each stage's output, (C, h, w), in STAGES' order
    probabilities: np.ndarray  # (1000,) softmax
    classes: tuple[str, ...]

    def top(self, k: int) -> list[tuple[str, float]]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(self.classes[i], float(self.probabilities[i])) for i in order]

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probabilities))


class _Kept:
    """A small least-recently-used store, safe to share between the server's threads."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()  # outside the lock: two students' photos are worked on at once
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


SIGHTS = _Kept(12)  # about 6 MB each at 224 px
MAPS = _Kept(64)  # (S, S) maps, 200 KB each


def image_size(trained: TrainedModel) -> int:
    return int(trained.config.get("image_size", 224))


def photo_key(photo: np.ndarray, size: int) -> str:
    digest = hashlib.blake2b(np.ascontiguousarray(photo).tobytes(), digest_size=16)
    digest.update(repr((photo.shape, size)).encode())
    return digest.hexdigest()


def look(trained: TrainedModel, photo: np.ndarray) -> Sight:
    """The network's forward pass of this photo, kept."""
    size = image_size(trained)
    return SIGHTS.get(photo_key(photo, size), lambda: _look(trained, photo, size))


@one_thread()
@torch.no_grad()
def _look(trained: TrainedModel, photo: np.ndarray, size: int) -> Sight:
    crop = pretrained.centre_crop(photo, size)
    stages = trained.model.stages(pretrained.to_input(crop))
    logits = trained.model.classify(stages[-1])
    probabilities = torch.softmax(logits, dim=1)[0].numpy()
    return Sight(crop, tuple(s[0] for s in stages), probabilities, pretrained.imagenet_classes())


def grad_cam(trained: TrainedModel, photo: np.ndarray, target: int) -> np.ndarray:
    """Grad-CAM of class `target` on the head's 1280 maps, enlarged to the crop: (S, S) in [0, 1]."""
    size = image_size(trained)

    @one_thread()
    def make() -> np.ndarray:
        # Grad-CAM needs the head's maps and the class score's gradient with respect to them;
        # everything before the head is already done (the photo's kept forward pass), so captum
        # runs only the head, from those maps: the same map, without a second pass over the photo.
        head = _Head(trained.model)
        maps = look(trained, photo).stages[-1][None]
        cam = LayerGradCam(head, head.maps).attribute(maps, target=target, relu_attributions=True)
        return _unit(LayerAttribution.interpolate(cam, (size, size), "bilinear")[0, 0])

    return MAPS.get(("grad-cam", photo_key(photo, size), target), make)


def occlusion(trained: TrainedModel, photo: np.ndarray, target: int) -> np.ndarray:
    """How much the class's probability drops when each part of the photo is hidden under a grey
    square (the network's "0"): (S, S), 1 where hiding costs the most, 0 where it costs nothing."""
    size = image_size(trained)
    window = round(size * OCCLUSION_WINDOW)

    @one_thread()
    def make() -> np.ndarray:
        probability = _softmaxed(trained.model)
        x = pretrained.to_input(look(trained, photo).crop)
        drop = Occlusion(probability).attribute(
            x,
            target=target,
            sliding_window_shapes=(3, window, window),
            strides=(3, window // 2, window // 2),
            baselines=0.0,
            perturbations_per_eval=8,
        )
        return _unit(drop[0].sum(dim=0).clamp(min=0))

    return MAPS.get(("occlusion", photo_key(photo, size), target), make)


def integrated_gradients(trained: TrainedModel, photo: np.ndarray, target: int) -> np.ndarray:
    """Integrated gradients of the class's score from a grey photo to this one, summed over the
    colours, positive part: (S, S) in [0, 1]."""
    size = image_size(trained)

    @one_thread()
    def make() -> np.ndarray:
        x = pretrained.to_input(look(trained, photo).crop)
        attributions = IntegratedGradients(trained.model).attribute(
            x, baselines=torch.zeros_like(x), target=target, n_steps=INTEGRATION_STEPS, internal_batch_size=8
        )
        pixels = attributions[0].sum(dim=0).clamp(min=0)
        # One pixel's gradient is noisy: a 9x9 average shows the regions, as the papers' figures do.
        smooth = torch.nn.functional.avg_pool2d(pixels[None, None], 9, stride=1, padding=4)[0, 0]
        return _unit(smooth)

    return MAPS.get(("integrated-gradients", photo_key(photo, size), target), make)


class _Head(torch.nn.Module):
    """The network from the head's 1280 maps on: `maps` (an identity) marks where Grad-CAM looks."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model
        self.maps = torch.nn.Identity()

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        return self.model.classify(self.maps(maps))


class _softmaxed(torch.nn.Module):
    """The network's probabilities rather than its scores: a drop in probability reads plainly."""

    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.network(x), dim=1)


def _unit(values: torch.Tensor) -> np.ndarray:
    """Scaled to [0, 1] by the largest value (all zeros stay zeros: no evidence anywhere)."""
    array = values.detach().float().numpy()
    peak = float(array.max())
    return (array / peak if peak > 0 else np.zeros_like(array)).astype(np.float32)


def overlay(crop: np.ndarray, heat: np.ndarray, strength: float = 0.55) -> np.ndarray:
    """The map in colour (inferno: dark nothing, yellow most) laid over the photo."""
    from matplotlib import colormaps

    coloured = colormaps["inferno"](heat)[..., :3].astype(np.float32)
    return np.clip((1 - strength) * crop + strength * coloured, 0.0, 1.0)


def map_picture(values: torch.Tensor) -> np.ndarray:
    """One feature map, (h, w), scaled to [0, 1] for showing (its own range: its pattern shows)."""
    array = values.detach().float().numpy()
    low, high = float(array.min()), float(array.max())
    return ((array - low) / (high - low) if high > low else np.zeros_like(array)).astype(np.float32)
