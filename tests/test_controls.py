"""core.controls: what the fronts need to draw a lab's settings, beyond the widget calls."""

from __future__ import annotations

from core import controls
from core.specs import Param


def test_a_log_slider_stops_at_1_2_3_and_5_within_the_bounds_with_the_default_and_the_current_value():
    param = Param("rate", "float", 0.004, "rate", low=1e-3, high=0.1, log=True)
    stops = controls.log_options(param, current=0.07)
    assert stops[:5] == [0.001, 0.002, 0.003, 0.004, 0.005]
    assert 0.07 in stops and stops[-1] == 0.1 and stops == sorted(stops)
    assert all(1e-3 <= stop <= 0.1 for stop in stops)
    assert controls.log_options(param, current="not a number") == controls.log_options(param)


def test_only_short_integer_ranges_fit_a_slider():
    assert controls.fits_slider(Param("epochs", "int", 3, "epochs", low=1, high=20))
    assert not controls.fits_slider(Param("seed", "int", 0, "seed", low=0, high=2**31 - 1))
    assert not controls.fits_slider(Param("width", "int", 3, "width"))  # no range
    assert not controls.fits_slider(Param("dropout", "float", 0.2, "dropout", low=0.0, high=1.0))


def test_a_free_float_steps_by_its_defaults_order_of_magnitude():
    assert controls.number_step(Param("decay", "float", 0.0004, "decay")) == 1e-4
    assert controls.number_step(Param("scale", "float", 250.0, "scale")) == 100.0
    assert controls.number_step(Param("shift", "float", 0.0, "shift")) == 0.01
    assert controls.number_step(Param("shift", "float", 0.5, "shift", step=0.25)) == 0.25


def test_a_number_box_says_its_range():
    assert controls.range_note(Param("seed", "int", 0, "seed", low=0, high=100_000)) == " (0 to 100,000)"
    assert controls.range_note(Param("rate", "float", 0.003, "rate", low=1e-5, high=0.5)) == " (1e-05 to 0.5)"
    assert controls.range_note(Param("width", "int", 3, "width")) == ""


def test_the_lines_beside_the_settings():
    assert (
        controls.seed_note(Param("seed", "int", 42, "seed"))
        == "The bundled models were trained with seed 42."
    )
    recipe = controls.recipe_note({"learning_rate": 0.01, "epochs": 5})
    assert recipe == "The course recipe: learning rate 0.01, epochs 5."
