"""A checkpoint's config.json edited by hand, anywhere: a key dropped or set to junk. The labs
whose configs carry their preprocessing (the tabular labs) check with `check_tampered_config`
that such a config is refused on load with a CheckpointError, or that every interaction still
answers or refuses with a user error: never a traceback."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from core import checkpoints
from core.errors import USER_ERRORS
from core.labs.base import Lab

SMALL_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=9),
    st.sampled_from([0.5, -1.0, math.nan, math.inf]),
    st.text(max_size=6),
    st.lists(st.integers(min_value=-2, max_value=4), max_size=3),
    st.just({}),
)
# Refusals that name the problem: the config itself, or the weights it no longer describes.
REFUSALS = ("config.json is not usable", "weights do not fit")


def key_paths(value: Any, prefix: tuple = (), into_lists: bool = True) -> list[tuple]:
    """Every key path of a JSON object, into lists of objects too (a preprocessing's columns)."""
    paths = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list) and into_lists:
        items = enumerate(value)
    else:
        items = ()
    for key, inner in items:
        paths.append((*prefix, key))
        paths.extend(key_paths(inner, (*prefix, key), into_lists))
    return paths


def check_tampered_config(lab: Lab, source: Path, data: Any, folder: Path) -> None:
    """Draw one edit of `source`'s config.json (hypothesis' `data`), write the checkpoint to
    `folder` and check it is refused plainly or still works."""
    config = json.loads((source / "config.json").read_text())
    path = data.draw(st.sampled_from([p for p in key_paths(config) if p != ("lab",)]), label="key")
    *parents, last = path
    holder = config
    for key in parents:
        holder = holder[key]
    if isinstance(holder, dict) and data.draw(st.booleans(), label="drop it"):
        del holder[last]
    else:
        holder[last] = data.draw(SMALL_JUNK, label="value")
    (folder / "model.safetensors").write_bytes((source / "model.safetensors").read_bytes())
    (folder / "config.json").write_text(json.dumps(config))
    try:
        trained = lab.load(folder)
    except checkpoints.CheckpointError as error:
        assert any(refusal in str(error) for refusal in REFUSALS), error
        return
    for interaction in lab.interactions:
        try:
            interaction(trained, interaction.example_inputs())
        except USER_ERRORS as error:
            assert str(error).strip()
    lab.headline(trained.metrics)
    lab.model_name(trained)
