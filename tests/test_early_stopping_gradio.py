"""The early-stopping tab's HTTP API through gradio_client: the bundled model's curve, kept
checkpoints and one loaded epoch; an epoch it does not keep and a resume that cannot work are
refused plainly; a tiny training becomes this session's model with a checkpoint per epoch, and a
second training resumes from it (the app and `client` come from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api

SMALL = {"train_digits": 100, "validation_digits": 100, "hidden": 16, "batch_size": 50}


def test_the_bundled_curve_checkpoints_and_an_epoch(client: Client) -> None:
    lab_endpoints(client, "early-stopping", "curve", "checkpoints", "load_epoch")
    curve = client.predict(figure="loss", api_name="/early_stopping_curve")
    assert "stopped the training after epoch" in curve["summary"]
    rows = client.predict(api_name="/early_stopping_checkpoints")["epochs"]
    assert len(rows) == 2 and rows[0]["mark"] == "best kept"
    loaded = client.predict(epoch=rows[-1]["epoch"], api_name="/early_stopping_load_epoch")
    assert loaded["summary"].startswith(f"**Epoch {rows[-1]['epoch']}**") and loaded["mistakes"]
    with pytest.raises(AppError, match="Epoch 1 has no checkpoint in this run"):
        client.predict(epoch=1, api_name="/early_stopping_load_epoch")


def test_a_tiny_training_keeps_its_epochs_and_a_second_resumes_from_them(client: Client) -> None:
    with pytest.raises(AppError, match="there is no folder"):
        client.predict(resume_from="/no/such/run", api_name="/early_stopping_train")
    train_through_api(client, "early-stopping", **SMALL, epochs=2, early_stopping=False)
    rows = client.predict(model="session", api_name="/early_stopping_checkpoints")["epochs"]
    assert [row["epoch"] for row in rows] == [1, 2]
    with pytest.raises(AppError, match="has already trained 2 epochs"):
        client.predict(**SMALL, epochs=2, resume_from=rows[-1]["folder"], api_name="/early_stopping_train")
    train_through_api(
        client, "early-stopping", **SMALL, epochs=3, early_stopping=False, resume_from=rows[0]["folder"]
    )
    summary = client.predict(model="session", api_name="/early_stopping_curve")["summary"]
    assert "Resumed from the checkpoint of epoch 1" in summary
    rows = client.predict(model="session", api_name="/early_stopping_checkpoints")["epochs"]
    assert [row["epoch"] for row in rows] == [1, 2, 3]
