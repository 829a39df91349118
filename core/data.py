"""Image datasets, resolved in one place so that every lab, test and benchmark agrees.

Order of resolution for MNIST and Fashion-MNIST:
1. an explicit directory (argument, or the `DLL_DATA_DIR` environment variable) holding
   torchvision's layout (`<dir>/MNIST/raw/...`), e.g. ../shared/datasets in CI;
2. the local cache (`DLL_CACHE_DIR`, default ~/.cache/deep-learning-labs/data);
3. for Fashion-MNIST, the system's copy from Debian's package `dataset-fashion-mnist` (the
   original 60,000 + 10,000 images as gzipped IDX files under /usr/share/datasets/fashion-mnist;
   `DLL_SYSTEM_DATASETS` moves that root);
4. torchvision's download into that cache (skipped when `DLL_OFFLINE=1`);
5. offline fallback, for MNIST only: scikit-learn's bundled 8x8 handwritten digits, brought to
   28x28 the way MNIST was made. It is small (1,797 digits) and not MNIST, and says so.

Whichever was used travels with the data as a `DataSource`, is written into every checkpoint
and is shown in the UI.
"""

from __future__ import annotations

import functools
import gzip
import logging
import os
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

log = logging.getLogger(__name__)

DATASETS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
DIGIT_CLASSES = tuple(str(d) for d in range(10))


class DataUnavailableError(RuntimeError):
    """The dataset cannot be found locally, downloaded, or replaced by a fallback."""


@dataclass(frozen=True)
class DataSource:
    dataset: str  # "mnist", "fashion-mnist" or "sklearn-digits"
    kind: str  # "directory", "cache", "system" (a Debian package), "download" or "fallback"
    location: str
    train_size: int
    test_size: int

    @property
    def description(self) -> str:
        names = {
            "mnist": "MNIST",
            "fashion-mnist": "Fashion-MNIST",
            "sklearn-digits": "scikit-learn 8x8 digits (offline fallback, not MNIST)",
        }
        # What the data is, never where it lives on the server (a student sees this line).
        return f"{names[self.dataset]}, {self.train_size:,} train / {self.test_size:,} held-out"

    def to_dict(self) -> dict:
        return {**asdict(self), "description": self.description}


@dataclass(frozen=True)
class ImageData:
    """uint8 images (N, 28, 28), white on black, with int64 labels, and where they came from."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: DataSource
    classes: tuple[str, ...]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "deep-learning-labs" / "data"
    return Path(os.environ.get("DLL_CACHE_DIR", default))


def offline() -> bool:
    return os.environ.get("DLL_OFFLINE", "").lower() in ("1", "true", "yes")


def load_images(dataset: str = "mnist", data_dir: str | None = None) -> ImageData:
    """The dataset from the first place that has it (see the module docstring)."""
    if not isinstance(dataset, str) or dataset not in DATASETS:  # a hand-edited config can hold anything
        raise DataUnavailableError(f"unknown dataset {dataset!r}; choose from {', '.join(DATASETS)}")
    explicit = data_dir or os.environ.get("DLL_DATA_DIR")
    return _load_images_cached(dataset, str(explicit) if explicit else None, str(system_datasets()))


@functools.lru_cache(maxsize=4)
def _load_images_cached(dataset: str, explicit: str | None, system: str) -> ImageData:
    tried = []
    candidates = ([(explicit, "directory")] if explicit else []) + [(str(cache_dir()), "cache")]
    for root, kind in candidates:
        data = _read_torchvision(dataset, root, kind, download=False)
        if data is not None:
            return data
        tried.append(root)
    if dataset in SYSTEM_FOLDERS:
        folder = Path(system) / SYSTEM_FOLDERS[dataset]
        data = read_idx_folder(dataset, folder)
        if data is not None:
            return data
        tried.append(str(folder))
    if not offline():
        try:
            data = _read_torchvision(dataset, str(cache_dir()), "download", download=True)
            if data is not None:
                return data
        except Exception as error:  # no network, a mirror down, a proxy: all mean "offline"
            log.warning("could not download %s: %s", dataset, error)
    if dataset == "mnist":
        log.warning("MNIST not found in %s; using the offline fallback", ", ".join(tried))
        return sklearn_digits()
    raise DataUnavailableError(
        f"{DATASETS[dataset]} is not in {' or '.join(tried)} and could not be downloaded. "
        "Point DLL_DATA_DIR (or --data-dir) at a folder with torchvision's layout, or go online"
        + (" (or install Debian's dataset-fashion-mnist)." if dataset == "fashion-mnist" else ".")
    )


def dataset_missing(dataset: str) -> str | None:
    """Why `dataset` cannot be read on this machine (saying what to install), or None when it can."""
    try:
        load_images(dataset)
    except DataUnavailableError as error:
        return str(error)
    return None


SYSTEM_FOLDERS = {"fashion-mnist": "fashion-mnist"}  # Debian's dataset-fashion-mnist
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def system_datasets() -> Path:
    return Path(os.environ.get("DLL_SYSTEM_DATASETS", "/usr/share/datasets"))


def read_idx(path: Path) -> torch.Tensor:
    """One gzipped IDX file (the format MNIST and Fashion-MNIST were published in) as uint8."""
    data = gzip.decompress(path.read_bytes())
    zeros, kind, dims = struct.unpack(">HBB", data[:4])
    if zeros != 0 or kind != 0x08:  # 0x08: unsigned bytes, the only kind these sets use
        raise DataUnavailableError(f"{path.name} is not an IDX file of bytes")
    shape = struct.unpack(f">{dims}I", data[4 : 4 + 4 * dims])
    body = data[4 + 4 * dims :]
    if len(body) != int(np.prod(shape)):
        raise DataUnavailableError(f"{path.name} is cut short: {len(body)} bytes for shape {shape}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).view(*shape)


def read_idx_folder(dataset: str, folder: Path) -> ImageData | None:
    """The four IDX files of a dataset in `folder`, or None when they are not all there."""
    paths = {split: [folder / name for name in names] for split, names in IDX_FILES.items()}
    if not all(path.is_file() for names in paths.values() for path in names):
        return None
    (train_images, train_labels), (test_images, test_labels) = (
        (read_idx(images), read_idx(labels).long()) for images, labels in paths.values()
    )
    if len(train_images) != len(train_labels) or len(test_images) != len(test_labels):
        raise DataUnavailableError(f"{folder}: images and labels do not match in number")
    source = DataSource(dataset, "system", str(folder), len(train_images), len(test_images))
    classes = DIGIT_CLASSES if dataset == "mnist" else FASHION_CLASSES
    return ImageData(train_images, train_labels, test_images, test_labels, source, classes)


def _read_torchvision(dataset: str, root: str, kind: str, download: bool) -> ImageData | None:
    from torchvision import datasets

    cls = getattr(datasets, DATASETS[dataset])
    try:
        train = cls(root=root, train=True, download=download)
        test = cls(root=root, train=False, download=download)
    except RuntimeError:  # torchvision's "Dataset not found"
        return None
    source = DataSource(dataset, kind, root, len(train), len(test))
    classes = DIGIT_CLASSES if dataset == "mnist" else FASHION_CLASSES
    return ImageData(train.data, train.targets.long(), test.data, test.targets.long(), source, classes)


def sklearn_digits() -> ImageData:
    """scikit-learn's 1,797 8x8 digits made MNIST-like: upscaled, 20 px box, centred by mass.

    A fixed, stratified 80/20 split keeps the held-out digits out of training.
    """
    from sklearn.datasets import load_digits

    from core.imaging import to_mnist_frame

    bunch = load_digits()
    images = np.stack([to_mnist_frame(image / 16.0) for image in bunch.images])
    images = torch.from_numpy((images * 255).round().astype(np.uint8))
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    test_mask = np.zeros(len(labels), dtype=bool)
    rng = np.random.default_rng(0)
    for digit in range(10):
        members = np.flatnonzero(bunch.target == digit)
        test_mask[rng.choice(members, size=len(members) // 5, replace=False)] = True
    test = torch.from_numpy(test_mask)
    source = DataSource(
        "sklearn-digits", "fallback", "scikit-learn bundled data", int((~test).sum()), int(test.sum())
    )
    return ImageData(images[~test], labels[~test], images[test], labels[test], source, DIGIT_CLASSES)


def training_data(config: dict, data_dir: str | None = None) -> ImageData:
    """The data a checkpoint's model learnt from, read from its config: the offline fallback if
    that is what it used, else its dataset resolved as usual (for its held-out split)."""
    if config.get("data", {}).get("dataset") == "sklearn-digits":
        return sklearn_digits()
    return load_images(config.get("params", {}).get("dataset", "mnist"), data_dir)
