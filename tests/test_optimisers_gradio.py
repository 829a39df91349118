"""The optimisers tab's HTTP API through gradio_client: /optimisers_paths (no model needed), the
bundled copies' /optimisers_curves and /optimisers_read, bad input, and a tiny side-by-side
training that becomes the session's model (the app and `client` come from conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import digit_one_png, lab_endpoints, parameters, train_through_api


def test_the_endpoints_are_listed_and_paths_needs_no_model(client: Client) -> None:
    endpoints = lab_endpoints(client, "optimisers", "paths", "curves", "read")
    assert "model" not in parameters(endpoints, "/optimisers_paths")
    assert "model" in parameters(endpoints, "/optimisers_curves")


def test_paths_on_a_surface_and_a_start_off_the_plot(client: Client) -> None:
    result = client.predict(
        surface="saddle", steps=120, optimisers=["sgd", "adam"], api_name="/optimisers_paths"
    )
    assert [row["optimiser"] for row in result["table"]] == ["SGD", "Adam"]
    assert "**Saddle**" in result["summary"]
    lines = [trace for trace in result["paths"] if trace.get("name") in ("SGD", "Adam")]
    assert len(lines) == 2 and len(lines[0]["x"]) == 121  # the start and 120 steps
    with pytest.raises(AppError, match=r"off the plot of the saddle: pick a point with x from -2 to 2"):
        client.predict(surface="saddle", own_start=True, start_x=3.0, api_name="/optimisers_paths")
    diverged = client.predict(surface="rosenbrock", sgd_learning_rate=3.0, api_name="/optimisers_paths")
    assert diverged["table"][0]["what happened"].startswith("diverged at step")


def test_the_bundled_copies_curves_and_a_digit(client: Client, tmp_path: Path) -> None:
    curves = client.predict(model="all", api_name="/optimisers_curves")
    assert curves["table"][0]["optimiser"] == "SGD" and len(curves["loss"]) == 6
    one = tmp_path / "one.png"
    one.write_bytes(digit_one_png(mode="RGB"))
    result = client.predict(image=handle_file(str(one)), api_name="/optimisers_read")
    assert result["origin"] == "bundled" and "| Adam | **1** |" in result["answers"]


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_side_by_side_training_becomes_this_sessions_model(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    outputs = train_through_api(client, "optimisers", optimisers=["momentum", "rmsprop"], epochs=1)
    assert "Training finished (ended by the step limit)" in outputs[0]
    curves = client.predict(model="session", api_name="/optimisers_curves")
    assert [row["optimiser"] for row in curves["table"]] == ["SGD + momentum", "RMSProp"]
