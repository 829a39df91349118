"""Where models run: the best accelerator present, else the CPU with a sensible thread count."""

from __future__ import annotations

import os

import torch


def pick_device(preference: str = "auto") -> torch.device:
    """cuda, then Apple's mps, then cpu; `DLL_DEVICE` or an explicit preference overrides."""
    preference = os.environ.get("DLL_DEVICE", preference)
    if preference != "auto":
        return torch.device(preference)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    configure_cpu_threads()
    return torch.device("cpu")


def configure_cpu_threads() -> int:
    """Use every core the process may use for the maths (small models gain nothing from
    hyper-threads), and one inter-op thread, since our graphs are sequential."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        available = os.cpu_count() or 1
    threads = int(os.environ.get("DLL_TORCH_THREADS") or available)  # empty means unset
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
