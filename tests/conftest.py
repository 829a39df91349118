"""Test settings shared by every test: offline, real MNIST-12k/3.6k when it is beside us."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "datasets"

# Tests never touch the network, and never write into the user's cache or the repo.
os.environ["DLL_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
if SHARED_DATA.is_dir():
    os.environ.setdefault("DLL_DATA_DIR", str(SHARED_DATA))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DLL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("DLL_RUNS_DIR", str(tmp_path_factory.getbasetemp() / "runs"))


@pytest.fixture
def data_dir() -> str:
    if not SHARED_DATA.is_dir():
        pytest.skip("needs ../shared/datasets (MNIST-12k/3.6k)")
    return str(SHARED_DATA)
