"""Runs (issue 19): a training is a run; the same settings and seed start from the same weights
and batches, so "train again with one change" changes one thing; runs compare side by side, in
core and from the CLI (`python -m core runs list|show|compare`)."""

from __future__ import annotations

import json

import pytest

from core import runs
from core.cli import main as cli
from core.registry import get_lab
from core.runner import TrainingRunner


@pytest.fixture
def runner(tmp_path):
    return TrainingRunner(max_concurrent=1, out_root=tmp_path, device="cpu")


def first_losses(runner, data_dir, **settings) -> list[float]:
    """The per-step training losses of a two-step digits training."""
    params = {"epochs": 1, "seed": 3} | settings
    job = runner.submit(get_lab("digits"), params, seed=params["seed"], data_dir=data_dir, max_steps=2)
    assert job.wait(timeout=300) and job.result is not None, job.message
    return [loss for _, loss in runs.from_job(job).history.steps["loss"]]


def test_the_same_seed_starts_from_the_same_weights_and_batches_and_one_change_keeps_them(runner, data_dir):
    first = first_losses(runner, data_dir)
    again = first_losses(runner, data_dir)
    assert first == again  # same weights, same batches: every step the same
    changed = first_losses(runner, data_dir, learning_rate=0.03)
    # The first loss is measured before any update: same initial weights and first batch...
    assert changed[0] == first[0]
    # ...and the change (the learning rate) is what makes the second step differ.
    assert changed[1] != first[1]
    other_seed = first_losses(runner, data_dir, seed=4)
    assert other_seed[0] != first[0]


def run(label: str, **params) -> runs.Run:
    history = runs.TrainingHistory()
    history.epochs = {"heldout_accuracy": [(1, 0.9), (2, 0.95)]}
    return runs.Run(
        "digits", label, {"seed": 0, "learning_rate": 0.003} | params, {"heldout_accuracy": 0.95}, history
    )


def test_the_settings_table_puts_the_differences_first():
    rows = runs.settings_table([run("a"), run("b", learning_rate=0.03)])
    assert rows[0] == {"setting": "learning_rate", "a": 0.003, "b": 0.03, "differs": True}
    assert rows[1]["setting"] == "seed" and not rows[1]["differs"]


def test_curves_of_several_runs_share_one_chart():
    figure = runs.overlay([run("a"), run("b"), run("c")], "heldout_accuracy")
    assert [trace.name for trace in figure.data] == ["a", "b", "c"]
    assert runs.shared_metrics([run("a"), run("b")]) == ["heldout_accuracy"]


def test_curves_compare_against_epochs_steps_or_seconds():
    fast, slow = run("fast"), run("slow")
    fast.history.marks = [(1, 100, 2.0), (2, 200, 4.0)]
    slow.history.marks = [(1, 400, 10.0), (2, 800, 20.0)]
    slow.history.steps = {"loss": [(0.5, 1.0), (2.5, 0.2)]}  # half-way through epoch 1, past the end
    assert runs.overlay([fast, slow], "heldout_accuracy", "steps").data[1].x == (400, 800)
    assert runs.overlay([fast, slow], "heldout_accuracy", "seconds").data[0].x == (2.0, 4.0)
    assert runs.along(slow, [0.5, 2.5], "seconds") == [5.0, 25.0]
    assert (
        runs.overlay([fast], "heldout_accuracy", "seconds").layout.xaxis.title.text == "seconds of training"
    )
    old = run("old")  # kept before runs recorded their epochs' ends
    with pytest.raises(runs.RunError, match="no record of its seconds"):
        runs.overlay([fast, old], "heldout_accuracy", "seconds")
    with pytest.raises(runs.RunError, match="one of epochs, steps, seconds"):
        runs.overlay([fast], "heldout_accuracy", "minutes")


def test_a_run_takes_its_students_label_if_it_is_a_good_one():
    kept = [run("run 1"), run("run 2")]
    runs.relabel(kept, kept[1], "  rate   0.03 ")
    assert kept[1].label == "rate 0.03"
    for bad, message in (("", "empty"), ("run 1", "already called"), ("x" * 80, "under 60")):
        with pytest.raises(runs.RunError, match=message):
            runs.relabel(kept, kept[1], bad)
    assert kept[1].label == "rate 0.03"


def test_the_runner_stamps_each_epochs_end_with_its_seconds(runner, data_dir):
    job = runner.submit(get_lab("house-prices"), {"epochs": 2}, seed=0, data_dir=data_dir)
    assert job.wait(timeout=300) and job.result is not None, job.message
    marks = runs.from_job(job).history.marks
    assert [epoch for epoch, _, _ in marks] == [1, 2]
    assert 0 < marks[0][2] < marks[1][2] and marks[0][1] < marks[1][1]


def test_runs_of_different_labs_or_a_single_run_do_not_compare():
    other = run("x")
    other.lab = "vae"
    with pytest.raises(runs.RunError, match="different labs"):
        runs.check_comparable([run("a"), other])
    with pytest.raises(runs.RunError, match="two or more"):
        runs.check_comparable([run("a")])


def test_one_change_starts_from_all_of_a_runs_settings_and_its_seed():
    assert run("a", seed=7).one_change() == {"seed": 7, "learning_rate": 0.003}


@pytest.mark.slow
def test_the_cli_keeps_runs_on_disk_and_compares_them(tmp_path, data_dir, monkeypatch, capsys):
    monkeypatch.setenv("DLL_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("DLL_MAX_STEPS", "3")
    for rate in ("0.003", "0.03"):
        assert cli(["train", "denoise", "--set", "epochs=1", "--set", f"learning_rate={rate}"]) == 0
    capsys.readouterr()
    assert cli(["runs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2 and {row["lab"] for row in listed} == {"denoise"}
    assert cli(["runs", "compare", *[row["run"] for row in listed], "--json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert [row["setting"] for row in compared["settings"] if row["differs"]] == ["learning_rate"]
    assert "loss" in compared["curves"]
    assert any(row["figure"] == "heldout_psnr_gain" for row in compared["figures"])


def test_a_folder_that_is_no_run_is_said_plainly(tmp_path, capsys):
    assert cli(["runs", "show", str(tmp_path)]) == 2
    assert "is not a run" in capsys.readouterr().err


def train_here(at, lab_id: str, monkeypatch, **settings):
    """A tiny training on an open page (AppTest), waited for."""
    from helpers import widget

    for name, value in settings.items():
        widget(at, f"{lab_id}-{name}").set_value(value)
    monkeypatch.setenv("DLL_MAX_STEPS", "3")
    at.button(key=f"{lab_id}-train").click().run()
    assert at.session_state[f"{lab_id}-training"].job.wait(timeout=240)
    at.run()
    assert not at.exception, at.exception


@pytest.mark.slow
def test_a_page_keeps_its_runs_trains_again_with_one_change_and_compares(monkeypatch):
    from helpers import open_lab, widget

    at = open_lab("denoise")
    train_here(at, "denoise", monkeypatch, epochs=1)
    assert "Your runs (1): train again with one change, compare" in [e.label for e in at.expander]
    at.button(key="denoise-training-again-run 1").click().run()
    assert any("same weights and sees the same batches" in info.value for info in at.info)
    seed = widget(at, "denoise-seed").value
    train_here(at, "denoise", monkeypatch, learning_rate=0.03)
    assert "Your runs (2): train again with one change, compare" in [e.label for e in at.expander]
    assert at.multiselect(key="denoise-training-compare").value == ["run 1", "run 2"]
    settings = at.dataframe[0].value
    assert settings.iloc[0]["setting"] == "learning_rate" and settings.iloc[0]["differs"] == "◀ differs"
    assert (settings[settings["setting"] == "seed"][["run 1", "run 2"]].values == str(seed)).all()
    assert len([chart for chart in at.get("plotly_chart")]) >= 2
    at.text_input(key="denoise-training-label-1").input("rate 0.03").run()
    assert at.multiselect(key="denoise-training-compare").options == ["run 1", "rate 0.03"]
    at.text_input(key="denoise-training-label-1").input("run 1").run()
    assert any("already called 'run 1'" in warning.value for warning in at.warning)
    at.radio(key="denoise-training-compare-x").set_value("seconds").run()
    assert not at.warning and len(at.get("plotly_chart")) >= 2
    # The live held-out panel answers with each compared run too, side by side.
    assert any("The same input through each compared run" in text.value for text in at.markdown)
    assert any(text.value == "*rate 0.03*" for text in at.markdown)


def test_the_api_answers_with_any_run_of_the_session_by_its_label(client):
    from helpers import train_through_api

    train_through_api(client, "denoise", epochs=1)
    answer = client.predict(index=3, model="run 1", api_name="/denoise_heldout")
    assert answer["images"] and answer["origin"] != "bundled", answer
    with pytest.raises(Exception, match=r"Unknown model 'run 9'.*run 1"):
        client.predict(index=3, model="run 9", api_name="/denoise_heldout")
