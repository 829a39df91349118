"""Data resolution: explicit folder, cache, download, then the labelled offline fallback."""

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
    with pytest.raises(DataUnavailableError, match="DLL_DATA_DIR"):
        load_images("fashion-mnist")
    with pytest.raises(DataUnavailableError, match="unknown dataset"):
        load_images("cifar")
