"""Lab specs: the single place where every front's input is checked."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from core.catalogue import catalogue, ready_specs
from core.registry import get_lab, ready_labs
from core.specs import LabSpec, Param, SpecError, parse_assignments

ROOT = Path(__file__).resolve().parents[1]

SPEC = LabSpec(
    "toy",
    "Toy",
    "Testing",
    "A toy lab.",
    params=(
        Param("epochs", "int", 3, "passes", low=1, high=10),
        Param("learning_rate", "float", 0.1, "step size", low=1e-5, high=10.0, log=True),
        Param("optimizer", "choice", "adam", "which", choices=("adam", "sgd")),
        Param("augment", "bool", False, "shift digits"),
    ),
)


def test_defaults_validate_to_themselves():
    assert SPEC.validate() == {"epochs": 3, "learning_rate": 0.1, "optimizer": "adam", "augment": False}


def test_strings_from_the_cli_are_coerced():
    values = SPEC.validate({"epochs": "5", "learning_rate": "1e-3", "augment": "yes"})
    assert values["epochs"] == 5 and isinstance(values["epochs"], int)
    assert math.isclose(values["learning_rate"], 1e-3)
    assert values["augment"] is True


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"epochs": 0}, r"out of range \[1, 10\]"),
        ({"epochs": 11}, "out of range"),
        ({"epochs": 2.5}, "whole number"),
        ({"epochs": "many"}, "expected a number"),
        ({"epochs": True}, "expected a number"),
        ({"learning_rate": float("nan")}, "finite"),
        ({"learning_rate": "inf"}, "finite"),
        ({"optimizer": "rmsprop"}, "not one of adam, sgd"),
        ({"augment": "maybe"}, "true or false"),
        ({"batch": 3}, "unknown setting 'batch'"),
    ],
)
def test_bad_values_are_refused_with_a_reason(values, message):
    with pytest.raises(SpecError, match=message):
        SPEC.validate(values)


def test_every_problem_is_reported_at_once():
    with pytest.raises(SpecError) as error:
        SPEC.validate({"epochs": 0, "optimizer": "x"})
    assert "Epochs" in str(error.value) and "Optimizer" in str(error.value)


def test_a_spec_with_a_bad_default_fails_when_it_is_written():
    with pytest.raises(SpecError):
        Param("epochs", "int", 0, "passes", low=1, high=10)
    with pytest.raises(ValueError):
        Param("mode", "choice", "c", "which", choices=("a", "b"))


def test_cli_assignments():
    assert parse_assignments(["epochs=3", " lr = 0.1 "]) == {"epochs": "3", "lr": "0.1"}
    with pytest.raises(SpecError, match="key=value"):
        parse_assignments(["epochs"])


def test_every_ready_lab_has_a_valid_spec_and_theory():
    assert [lab.spec for lab in ready_labs()] == ready_specs()
    for lab in ready_labs():
        assert lab.spec.status == "ready"
        assert lab.spec.theory.strip() and "$" in lab.spec.theory, "theory should show the key equations"
        lab.spec.validate()
        for param in lab.spec.params:
            assert param.help


def test_catalogue_lists_ready_and_planned_labs_by_topic():
    topics = catalogue()
    specs = [spec for group in topics.values() for spec in group]
    assert "digits" in {s.id for s in specs if s.status == "ready"}
    assert len({s.id for s in specs}) == len(specs)
    with pytest.raises(KeyError, match="unknown lab 'nope'"):
        get_lab("nope")


def test_the_catalogue_loads_without_torch():
    """The home page shows the catalogue before torch (2 s to import) is needed."""
    code = "import sys, core.catalogue, app_pages; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0
