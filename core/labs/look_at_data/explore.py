"""What the explorer computes from the images alone (no model): the data as arrays, class
counts, mean and spread images, nearest neighbours and the 2-D maps.

Everything computed once is kept: the arrays and the PCA in memory (one per dataset), a t-SNE map
on disk in the project's cache folder (core.data.cache_dir(), never the repository), since it
takes tens of seconds and is the same for everyone asking for the same points.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import DataSource, cache_dir, load_images
from core.specs import SpecError

SPLITS = ("train", "held-out")
MAP_METHODS = ("pca", "t-sne")
MAP_SEED = 0  # which images a map shows and t-SNE's start: fixed, so a cached map is reused


@dataclass(frozen=True)
class Images:
    """One split of a dataset as flat float32 pixels in [0, 1], with its labels."""

    pixels: np.ndarray  # (N, 784)
    labels: np.ndarray  # (N,) int64
    classes: tuple[str, ...]
    source: DataSource
    split: str

    def __len__(self) -> int:
        return len(self.labels)

    def image(self, index: int) -> np.ndarray:
        return self.pixels[index].reshape(28, 28)

    @property
    def name(self) -> str:
        """ "the MNIST training images", for sentences."""
        dataset = self.source.description.split(",")[0]
        return f"the {dataset} {'training' if self.split == 'train' else 'held-out'} images"


@functools.lru_cache(maxsize=4)
def _images(dataset: str, split: str, data_dir: str | None) -> Images:
    data = load_images(dataset, data_dir)
    images, labels = (
        (data.train_images, data.train_labels) if split == "train" else (data.test_images, data.test_labels)
    )
    pixels = images.reshape(len(images), -1).numpy().astype(np.float32) / 255.0
    return Images(pixels, labels.numpy(), data.classes, data.source, split)


def images(dataset: str, split: str = "train", data_dir: str | None = None) -> Images:
    if split not in SPLITS:
        raise SpecError(f"Split: choose one of {', '.join(SPLITS)}")
    return _images(dataset, split, data_dir)


def checked_index(data: Images, index: int) -> int:
    if not 0 <= index < len(data):
        raise SpecError(f"Image number: {data.name} are numbered 0 to {len(data) - 1:,}, not {index:,}")
    return index


def class_counts(data: Images) -> np.ndarray:
    return np.bincount(data.labels, minlength=len(data.classes))


def class_index(data: Images, label: int) -> int:
    if not 0 <= label < len(data.classes):
        raise SpecError(f"Class: pick a number from 0 to {len(data.classes) - 1}")
    return label


@dataclass(frozen=True)
class PixelStatistics:
    """How often each of the 256 grey levels occurs, per class: everything the overview shows."""

    levels: np.ndarray  # (C, 256) counts of pixel value v (0 to 255) in each class
    images: np.ndarray  # (C,) images per class

    def mean(self, c: int | None = None) -> float:
        counts = self.levels.sum(0) if c is None else self.levels[c]
        return float(counts @ np.arange(256) / counts.sum() / 255)

    def std(self) -> float:
        counts = self.levels.sum(0)
        values = np.arange(256) / 255
        return float(np.sqrt(counts @ (values - self.mean()) ** 2 / counts.sum()))

    def share_of_zeros(self) -> float:
        return float(self.levels[:, 0].sum() / self.levels.sum())

    def ink_per_image(self, c: int) -> float:
        """Pixels brighter than half-way (128 of 255 or more) in an average image of class c."""
        return float(self.levels[c, 128:].sum() / self.images[c])

    def histogram(self, bins: int = 32) -> np.ndarray:
        return self.levels.sum(0).reshape(bins, -1).sum(1)


@functools.lru_cache(maxsize=4)
def _pixel_statistics(dataset: str, split: str, data_dir: str | None) -> PixelStatistics:
    data = load_images(dataset, data_dir)
    raw, labels = (
        (data.train_images, data.train_labels) if split == "train" else (data.test_images, data.test_labels)
    )
    raw, labels = raw.numpy(), labels.numpy()
    # Counted from the stored bytes, a class at a time: for Fashion-MNIST's 47 million pixels the
    # float histogram took seconds on every call.
    levels = np.stack(
        [np.bincount(raw[labels == c].ravel(), minlength=256) for c in range(len(data.classes))]
    )
    return PixelStatistics(levels, np.bincount(labels, minlength=len(data.classes)))


def pixel_statistics(dataset: str, split: str, data_dir: str | None = None) -> PixelStatistics:
    return _pixel_statistics(dataset, split, data_dir)


def mean_and_spread(data: Images) -> tuple[np.ndarray, np.ndarray]:
    """Per class, the mean image and the spread (standard deviation) of each pixel: (C, 28, 28) each."""
    means = np.stack([data.pixels[data.labels == c].mean(0) for c in range(len(data.classes))])
    spreads = np.stack([data.pixels[data.labels == c].std(0) for c in range(len(data.classes))])
    return means.reshape(-1, 28, 28), spreads.reshape(-1, 28, 28)


# --- nearest neighbours ----------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _squared_norms(dataset: str, data_dir: str | None) -> np.ndarray:
    return (_images(dataset, "train", data_dir).pixels ** 2).sum(1)


def nearest(
    dataset: str, frame: np.ndarray, count: int = 8, data_dir: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The `count` training images closest to a 28x28 frame in pixel space (Euclidean distance):
    their indices and distances, closest first. |a - b|^2 = |a|^2 - 2 a.b + |b|^2, so one
    matrix-vector product covers the whole training set."""
    train = _images(dataset, "train", data_dir)
    query = np.asarray(frame, dtype=np.float32).reshape(-1)
    squared = _squared_norms(dataset, data_dir) - 2 * train.pixels @ query + query @ query
    closest = np.argpartition(squared, count)[:count]
    closest = closest[np.argsort(squared[closest])]
    return closest, np.sqrt(np.maximum(squared[closest], 0.0))


# --- the 2-D maps ----------------------------------------------------------------------------


def map_rows(data: Images, points: int) -> np.ndarray:
    """Which images a map of `points` shows: a fixed random sample (all of them when asked for
    as many as there are), in index order."""
    if points >= len(data):
        return np.arange(len(data))
    rng = np.random.default_rng(MAP_SEED)
    return np.sort(rng.choice(len(data), size=points, replace=False))


@functools.lru_cache(maxsize=2)
def pca(dataset: str, data_dir: str | None):
    """Principal components fitted on the whole training split (scikit-learn's PCA, 50 of them:
    the first two draw the map, all 50 feed t-SNE)."""
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    # covariance_eigh: one 784x784 eigenproblem, under a second for 12,000 images (full SVD: 7 s).
    with threadpool_limits(1):  # as t-SNE below: many threads on a busy server were slower
        return PCA(n_components=50, svd_solver="covariance_eigh").fit(
            _images(dataset, "train", data_dir).pixels
        )


def tsne_path(data: Images, points: int) -> Path:
    source = data.source
    sizes = f"{source.train_size}-{source.test_size}"
    name = f"tsne-{source.dataset}-{sizes}-{data.split}-{points}-seed{MAP_SEED}.npy"
    return cache_dir() / "look-at-data" / name


# Measured on the 2-core development machine, busy with other work: scikit-learn's t-SNE of 1,000
# images took 11 s (load average 9), 15 s (11) and 30 s (19); 2,000 took 40 s (11). See
# benchmarks/RESULTS.md.
TSNE_SECONDS_PER_1000 = 20


def tsne_estimate(points: int) -> int:
    return max(5, round(TSNE_SECONDS_PER_1000 * points / 1000))


@dataclass(frozen=True)
class Map:
    rows: np.ndarray  # the images shown, by index in their split
    xy: np.ndarray  # (len(rows), 2)
    method: str
    note: str  # where it came from and how long it took


def data_map(data: Images, method: str, points: int, data_dir: str | None = None) -> Map:
    """A 2-D map of `points` images of a split: PCA at once, or t-SNE computed once and cached."""
    if method not in MAP_METHODS:
        raise SpecError(f"Map: choose one of {', '.join(MAP_METHODS)}")
    rows = map_rows(data, points)
    components = pca(data.source.dataset, data_dir)
    if method == "pca":
        xy = components.transform(data.pixels[rows])[:, :2]
        explained = components.explained_variance_ratio_[:2].sum()
        return Map(
            rows,
            xy,
            method,
            f"PCA: the two directions along which the images vary most hold {explained:.0%} of "
            "their variance.",
        )
    path = tsne_path(data, len(rows))
    if path.is_file():
        return Map(rows, np.load(path), method, "t-SNE, computed once and read from the cache.")
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    reduced = components.transform(data.pixels[rows])  # 50 PCA components: faster, and less noise
    # One thread: on a busy shared server OpenMP's waiting threads made it many times slower.
    with threadpool_limits(1):
        xy = TSNE(n_components=2, init="pca", perplexity=30, random_state=MAP_SEED).fit_transform(reduced)
    seconds = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npy")
    np.save(temporary, xy.astype(np.float32))
    temporary.replace(path)  # whole or not at all: two students asking at once both write safely
    return Map(rows, xy, method, f"t-SNE, computed now in {seconds:.0f} s and cached for next time.")
