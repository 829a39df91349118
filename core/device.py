"""Where models run: the best accelerator present, else the CPU with a sensible thread count."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

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


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run this thread's maths on one core, then restore the thread count.

    Small models split over two threads make each thread wait for the other at every operation,
    and on a busy 2-core server that waiting dominates: 30 training steps of the palindrome LSTM
    took 3 s on one thread and over 60 s on two; translating one sentence with the bundled
    Transformer took 0.5 s on one thread and 13 to 15 s on two while the machine was busy (load
    9). Every interaction a student runs therefore runs on one thread (the latency benchmarks
    measure it so). The setting is per thread, so a training keeps its threads. Also usable as a
    decorator."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
