"""Generated tests: every interaction every lab declares, driven with its example (and with junk)
through core, and through the CLI, the Gradio API and the Streamlit page. A lab added with a
broken interaction fails here, whichever front it breaks in.

Core answers every interaction. The fronts are driven through FRONT_CASES: each lab's first
interaction, every interaction a lab draws with a panel of its own, and the first interaction
with each kind of input or output not met before. The fronts read, draw and answer inputs and
outputs by kind, so these reach every path of their code and every lab's wiring, and the suite
stays minutes long as the labs multiply (every endpoint's presence is checked for all)."""

from __future__ import annotations

import importlib
import importlib.util
import json

import numpy as np
import pytest
from helpers import open_lab, texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core import models
from core.cli import main
from core.errors import USER_ERRORS
from core.image_classes import to_classes, to_zip, write_folder
from core.interactions import png_bytes, result_json
from core.registry import get_lab, lab_packages

LABS = sorted(lab_packages())
CASES = [(lab_id, i.name) for lab_id in LABS for i in get_lab(lab_id).interactions]


def _own_panels(lab_id: str) -> set[str]:
    """The interactions a lab draws with a panel of its own in either front (their names, "-" as "_")."""
    own = set()
    for front in ("gradio_tabs", "app_pages"):
        module = f"{front}.panels.{lab_id.replace('-', '_')}"
        if importlib.util.find_spec(module) is not None:
            own |= {name for name, value in vars(importlib.import_module(module)).items() if callable(value)}
    return own


def _kinds(cases: list[tuple[str, str]]) -> set[tuple[str, str]]:
    kinds = set()
    for lab_id, name in cases:
        interaction = get_lab(lab_id).interaction(name)
        kinds |= {("in", p.kind) for p in interaction.inputs} | {("out", o.kind) for o in interaction.outputs}
    return kinds


def front_cases() -> list[tuple[str, str]]:
    chosen, kinds_met = [], set()
    for lab_id in LABS:
        own = _own_panels(lab_id)
        for index, interaction in enumerate(get_lab(lab_id).interactions):
            kinds = _kinds([(lab_id, interaction.name)])
            if index == 0 or interaction.name.replace("-", "_") in own or not kinds <= kinds_met:
                chosen.append((lab_id, interaction.name))
                kinds_met |= kinds
    return chosen


FRONT_CASES = front_cases()


def example_run(lab_id: str, name: str):
    lab = get_lab(lab_id)
    interaction = lab.interaction(name)
    trained = models.choose(lab, None) if interaction.needs_model else None
    return lab, interaction, interaction(trained, interaction.example_inputs())


@pytest.mark.parametrize(("lab_id", "name"), CASES)
def test_core_answers_the_example_with_every_declared_output_kind(lab_id, name):
    _, interaction, result = example_run(lab_id, name)
    assert result, f"{lab_id} {name} answered nothing"
    kinds = {o.name: o.kind for o in interaction.outputs}
    for output_name, value in result.items():
        if kinds[output_name] in ("image",):
            assert np.asarray(value).ndim in (2, 3)
    answer = result_json(interaction, result)
    json.dumps(answer)  # the API's and the CLI's answer is plain JSON
    assert set(answer) <= set(kinds)


def cli_arguments(lab_id: str, name: str, tmp_path) -> list[str]:
    """The example as command-line arguments: pictures as files, texts positional, the rest options."""
    interaction = get_lab(lab_id).interaction(name)
    arguments = [lab_id, name]
    for param in interaction.inputs:
        value = interaction.example_inputs().get(param.name, param.default)
        if param.kind in ("image", "photo"):
            path = tmp_path / f"{param.name}.png"
            path.write_bytes(png_bytes(value))
            arguments.append(str(path))
        elif param.kind == "classes":  # a folder with a sub-folder of pictures per class
            arguments += ["--images", str(write_folder(to_classes(value), tmp_path / param.name))]
        elif param.kind == "text":
            arguments.append(value)
        elif param.kind == "bool":
            arguments.append(f"--{'' if value else 'no-'}{param.name.replace('_', '-')}")
        elif param.kind == "multichoice":
            arguments += [f"--{param.name.replace('_', '-')}", ",".join(value)]
        else:
            arguments += [f"--{param.name.replace('_', '-')}", str(value)]
    return arguments


def test_the_fronts_meet_every_lab_and_every_kind_of_input_and_output():
    assert {lab_id for lab_id, _ in FRONT_CASES} == set(LABS)
    assert _kinds(FRONT_CASES) == _kinds(CASES)


@pytest.mark.parametrize(("lab_id", "name"), FRONT_CASES)
def test_cli_answers_the_example_as_json(lab_id, name, tmp_path, capsys):
    assert main([*cli_arguments(lab_id, name, tmp_path), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out.splitlines()[-1])
    _, interaction, _ = example_run(lab_id, name)
    assert set(answer) & {o.name for o in interaction.outputs}


@pytest.mark.parametrize(("lab_id", "name"), CASES)
def test_cli_explains_every_interaction(lab_id, name, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([lab_id, name, "--help"])
    assert exit_.value.code == 0
    assert get_lab(lab_id).interaction(name).help.split()[0] in capsys.readouterr().out


def test_list_json_names_every_interaction(capsys):
    assert main(["list", "--json"]) == 0
    listed = {lab["id"]: lab["interactions"] for lab in json.loads(capsys.readouterr().out)}
    for lab_id, name in CASES:
        assert name in [i["name"] for i in listed[lab_id]]


def test_the_gradio_api_has_an_endpoint_per_interaction_and_training(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for lab_id in LABS:
        prefix = f"/{lab_id.replace('-', '_')}_"
        for name in ["train", "stop", "model_info", *(i.name for i in get_lab(lab_id).interactions)]:
            assert f"{prefix}{name.replace('-', '_')}" in endpoints


@pytest.mark.parametrize(("lab_id", "name"), FRONT_CASES)
def test_the_gradio_api_answers_the_example(lab_id, name, client, tmp_path):
    from gradio_client import handle_file

    interaction = get_lab(lab_id).interaction(name)
    values = {}
    for param in interaction.inputs:
        value = interaction.example_inputs().get(param.name, param.default)
        if param.kind in ("image", "photo"):
            path = tmp_path / f"{param.name}.png"
            path.write_bytes(png_bytes(value))
            value = handle_file(str(path))
        if param.kind == "classes":  # the same folders, zipped
            path = tmp_path / f"{param.name}.zip"
            path.write_bytes(to_zip(to_classes(value)))
            value = handle_file(str(path))
        values[param.name] = value
    answer = client.predict(**values, api_name=f"/{lab_id.replace('-', '_')}_{name.replace('-', '_')}")
    assert set(answer) & {o.name for o in interaction.outputs}


@pytest.mark.parametrize("lab_id", LABS)
def test_the_streamlit_page_offers_every_interaction(lab_id):
    at = open_lab(lab_id)
    lab = get_lab(lab_id)
    assert at.title[0].value == lab.spec.heading
    tabs = [tab.label for tab in at.tabs]
    for interaction in lab.interactions:
        assert interaction.title in tabs
    assert lab.spec.summary in texts(at.caption)


# --- any input at all: an answer, or a user error with a message ------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.integers(-3, 300), max_size=4),
)
PICTURES = st.one_of(
    hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=40),
        elements=st.floats(-2, 300, width=32),
    ),
    st.just(np.zeros((28, 28), dtype=np.float32)),
    st.just(np.full((5, 500), np.nan, dtype=np.float32)),
)


def input_values(param):
    """Values a front, the API or the CLI could hand over: junk of any type, and near misses."""
    if param.kind == "image":
        return st.one_of(st.none(), PICTURES, JUNK)
    if param.kind == "photo":  # colour arrays of any shape, and names that are no bundled photo
        return st.one_of(
            st.none(), PICTURES, JUNK, hnp.arrays(np.float32, (40, 36, 3), elements=st.floats(0, 1, width=32))
        )
    if param.kind == "classes":  # named groups of pictures, of any count and any junk
        pairs = st.lists(st.tuples(st.text(max_size=5), st.lists(PICTURES, max_size=3)), max_size=7)
        return st.one_of(st.none(), JUNK, pairs, st.binary(max_size=64))
    near = []
    if param.kind in ("int", "float") and param.low is not None and param.high is not None:
        near.append(st.floats(param.low - 10, param.high + 10))
        near.append(st.integers(int(param.low) - 3, int(min(param.high, 10**6)) + 3))
    if param.choices:
        near.append(st.sampled_from([*param.choices, "", "nope", param.choices[0].upper()]))
    if param.kind == "text":
        near.append(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
    return st.one_of(JUNK, *near)


@pytest.mark.parametrize(("lab_id", "name"), CASES)
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_input_is_answered_or_refused_with_a_user_error(lab_id, name, data):
    lab = get_lab(lab_id)
    interaction = lab.interaction(name)
    trained = models.choose(lab, None) if interaction.needs_model else None
    values = {param.name: data.draw(input_values(param), label=param.name) for param in interaction.inputs}
    try:
        result = interaction(trained, values)
    except USER_ERRORS as error:
        assert str(error).strip(), "a refusal must say why"
        return
    json.dumps(result_json(interaction, result))
