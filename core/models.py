"""Which model a student plays with: one of the lab's bundled variants, the one their session
trained, or a checkpoint they loaded from a file. Both fronts, the API and the CLI choose
through here, so a choice means the same everywhere."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from core import checkpoints
from core.labs.base import Lab, TrainedModel

SESSION = "session"  # the choice that means "the model this session trained"
LOADED = "file"  # ... and "the checkpoint this session loaded from a file"


class ModelChoiceError(ValueError):
    """The chosen model is not available: say what to pick instead."""


@functools.lru_cache(maxsize=32)
def bundled(lab: Lab, variant: str) -> TrainedModel:
    """A bundled variant, loaded once per process and shared read-only by every session."""
    return lab.load(lab.variant_path(variant), origin="bundled")


def default_choice(lab: Lab) -> str:
    return next(iter(lab.variants), SESSION)


def choose(
    lab: Lab,
    choice: str | None,
    session_model: TrainedModel | None = None,
    loaded_model: TrainedModel | None = None,
    run_models: Mapping[str, TrainedModel] | None = None,
) -> TrainedModel:
    """The model for `choice` (a variant name, SESSION, LOADED or the label of one of this
    session's runs, `run_models`; empty means the default)."""
    choice = (choice or default_choice(lab)).strip()
    if run_models and choice in run_models:
        return run_models[choice]
    if choice == SESSION:
        if session_model is None:
            raise ModelChoiceError(
                "This session has no trained model yet: train one, or pick a bundled model."
            )
        return session_model
    if choice == LOADED:
        if loaded_model is None:
            raise ModelChoiceError("No checkpoint was loaded in this session: load a .zip first.")
        return loaded_model
    if choice not in lab.variants:
        options = ", ".join([*lab.variants, SESSION, *(run_models or {})])
        raise ModelChoiceError(f"Unknown model {choice!r}: choose one of {options}.")
    try:
        return bundled(lab, choice)
    except checkpoints.CheckpointError:
        raise ModelChoiceError(
            f"The bundled {choice} model is not installed here ({lab.variant_path(choice)}); "
            "pick another or train your own."
        ) from None


def load_archive(lab: Lab, data: bytes, name: str, folder: Path) -> TrainedModel:
    """A checkpoint .zip a student uploaded, unpacked into `folder` and loaded (pickles and
    another lab's models are refused with a CheckpointError)."""
    checkpoints.extract_archive(data, folder)
    return lab.load(folder, origin=name)


def summary(lab: Lab, trained: TrainedModel) -> str:
    """One line of markdown: what the model is, where it came from, how good it is, and which
    data it learnt from."""
    origins = {"bundled": "bundled", "session": "trained in this session"}
    origin = origins.get(trained.origin, f"loaded from {Path(trained.origin).name}")
    parts = [f"**{lab.model_name(trained)}**, {origin}"]
    if headline := lab.headline(trained.metrics):
        parts.append(headline)
    stopped_by = trained.metrics.get("stopped_by", "completed")
    if trained.origin == "bundled" and stopped_by in ("time budget", "step limit"):
        parts.append(f"trained to a fixed {stopped_by}, as its recipe says")  # planned, not cut short
    elif stopped_by != "completed":
        parts.append(f"training ended early ({stopped_by})")
    parts.append(f"trained on {trained.data_source}")
    return " · ".join(parts)


def answered_by(lab: Lab, trained: TrainedModel) -> dict[str, str]:
    """For an API or CLI answer: which model gave it, where it came from and its data."""
    return {"model": lab.model_name(trained), "origin": trained.origin, "trained_on": trained.data_source}
