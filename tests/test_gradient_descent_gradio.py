"""The gradient descent tab's HTTP API through gradio_client: /gradient_descent_curves and
/gradient_descent_noise on the bundled copies, bad input, and a tiny training that becomes the
session's model (the app and `client` come from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api


def test_the_endpoints_are_listed(client: Client) -> None:
    lab_endpoints(client, "gradient-descent", "curves", "noise")


def test_the_curves_and_the_noise_of_the_bundled_copies(client: Client) -> None:
    curves = client.predict(model="all", api_name="/gradient_descent_curves")
    assert [row["way"] for row in curves["table"]] == ["Batch GD", "Mini-batch GD", "Stochastic GD"]
    assert len(curves["updates"]) == 3  # a line per way
    noise = client.predict(batch_size=32, api_name="/gradient_descent_noise")
    assert "**32** digits per batch" in noise["summary"] and noise["origin"] == "bundled"
    with pytest.raises(AppError, match="greater than maximum value 1024"):
        client.predict(batch_size=5000, api_name="/gradient_descent_noise")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "3")  # read by the runner at submit time
    outputs = train_through_api(client, "gradient-descent", methods=["stochastic"], epochs=1, batch_size=16)
    assert "Training finished (ended by the step limit)" in outputs[0]
    curves = client.predict(model="session", api_name="/gradient_descent_curves")
    # The runner counts stretches of 16 digits as it hears of them: at each measurement of the
    # loss, every 12 stretches here (750 stretches an epoch, 60 measurements): 12 x 16 digits.
    assert curves["table"][0]["updates"] == 192
