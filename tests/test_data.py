"""Data resolution: explicit folder, cache, download, then the labelled offline fallback."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from core import data
from core.data import DataUnavailableError, load_images


@pytest.fixture(autouse=True)
def _fresh_cache():
    data._load_images_cached.cache_clear()
    yield
    data._load_images_cached.cache_clear()


def test_an_explicit_folder_is_used_first(data_dir):
    images = load_images("mnist", data_dir)
    assert images.source.kind == "directory"
    assert (images.source.train_size, images.source.test_size) == (12_000, 3_604)
    assert images.train_images.shape == (12_000, 28, 28)
    assert images.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert "MNIST, 12,000 train / 3,604 held-out" in images.source.description


def test_the_environment_variable_names_the_folder(data_dir, monkeypatch):
    monkeypatch.setenv("DLL_DATA_DIR", data_dir)
    assert load_images("mnist").source.kind == "directory"


def test_offline_with_nothing_on_disk_falls_back_to_sklearn_digits(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path / "nothing-here"))
    images = load_images("mnist")
    assert images.source.kind == "fallback" and images.source.dataset == "sklearn-digits"
    assert "offline fallback, not MNIST" in images.source.description
    assert images.train_images.shape[1:] == (28, 28) and images.train_images.dtype.is_floating_point is False
    assert len(images.train_labels) + len(images.test_labels) == 1797
    assert set(images.test_labels.tolist()) == set(range(10)), "every digit is held out"
    train = {bytes(x.numpy()) for x in images.train_images}
    assert not any(bytes(x.numpy()) in train for x in images.test_images), "held-out never in training"


def test_a_failing_download_falls_back_too(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path / "nothing-here"))
    monkeypatch.setenv("DLL_OFFLINE", "0")
    attempts = []

    def no_network(dataset, root, kind, download):
        if download:
            attempts.append(root)
            raise OSError("network unreachable")
        return None

    monkeypatch.setattr(data, "_read_torchvision", no_network)
    assert load_images("mnist").source.kind == "fallback"
    assert attempts, "a download was attempted before falling back"


def test_fashion_mnist_has_no_fallback_and_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLL_SYSTEM_DATASETS", str(tmp_path / "none"))
    with pytest.raises(DataUnavailableError, match="dataset-fashion-mnist"):
        load_images("fashion-mnist")
    with pytest.raises(DataUnavailableError, match="unknown dataset"):
        load_images("cifar")
    with pytest.raises(DataUnavailableError, match="unknown dataset"):  # from a hand-edited config
        load_images([])


def write_idx(path, array) -> None:
    """A gzipped IDX file of bytes, as MNIST and Fashion-MNIST were published."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_fashion_mnist_is_read_from_the_system_copy_of_debians_package(tmp_path, monkeypatch):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 12), ("t10k", 5)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (count, 28, 28)))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", np.arange(count) % 10)
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("DLL_SYSTEM_DATASETS", str(tmp_path))
    images = load_images("fashion-mnist")
    assert images.train_images.shape == (12, 28, 28) and images.test_images.shape == (5, 28, 28)
    assert images.test_labels.tolist() == [0, 1, 2, 3, 4]
    assert images.source.kind == "system" and images.classes[0] == "T-shirt/top"
    assert images.source.description == "Fashion-MNIST, 12 train / 5 held-out"


def test_a_cut_idx_file_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "cut.gz"
    write_idx(path, np.zeros((3, 28, 28)))
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-10]))
    with pytest.raises(DataUnavailableError, match="cut short"):
        data.read_idx(path)


@pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="needs dataset-fashion-mnist"
)
def test_debians_fashion_mnist_is_the_official_set(monkeypatch, tmp_path):
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DLL_SYSTEM_DATASETS", raising=False)
    images = load_images("fashion-mnist")
    assert (len(images.train_labels), len(images.test_labels)) == (60_000, 10_000)
    assert images.train_labels[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]  # the published order
    assert np.bincount(images.test_labels.numpy()).tolist() == [1000] * 10


def test_a_lab_that_needs_fashion_mnist_says_what_to_install_when_it_is_absent(tmp_path, monkeypatch):
    from core.registry import get_lab

    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLL_SYSTEM_DATASETS", str(tmp_path / "none"))
    for lab_id in ("batch-norm", "cnn-architectures", "transfer-learning"):
        assert "dataset-fashion-mnist" in (get_lab(lab_id).missing() or ""), lab_id
    assert get_lab("digits").missing() is None  # MNIST always has its offline fallback
