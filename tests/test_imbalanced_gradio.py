"""The imbalanced data tab's HTTP API through gradio_client: /imbalanced_customer with the form's
inputs by name, the threshold and its confusion matrix, a held-out customer, the scores and the
split, bad input, and a tiny training that becomes the session's models (the app and `client`
come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab

LAB = get_lab("imbalanced")


def probabilities(result: dict) -> dict[str, float]:
    return {row["model"]: row["probability of default"] for row in result["probabilities"]}


def test_the_endpoints_are_listed_with_the_forms_inputs(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    names = ["customer", "heldout", "threshold", "scores", "curves", "data", "train", "stop", "model_info"]
    assert {f"/imbalanced_{name}" for name in names} <= set(endpoints)
    train = [p["parameter_name"] for p in endpoints["/imbalanced_train"]["parameters"]]
    assert train == [*(p.name for p in LAB.spec.params), "lesson", "lesson_answer"]
    customer = [p["parameter_name"] for p in endpoints["/imbalanced_customer"]["parameters"]]
    assert customer == ["model", *(p.name for p in LAB.interaction("customer").inputs)]


def test_every_model_scores_a_described_customer(client: Client) -> None:
    low = client.predict(balance=400, api_name="/imbalanced_customer")
    high = client.predict(balance=2400, student=True, api_name="/imbalanced_customer")
    assert low["origin"] == "bundled" and "Credit card defaults" in low["trained_on"]
    assert list(probabilities(low)) == ["plain", "class weights", "undersampling", "oversampling", "SMOTE"]
    for model in probabilities(low):
        assert probabilities(low)[model] < probabilities(high)[model]
    rarer = client.predict(balance=1800, model="rarer", api_name="/imbalanced_customer")
    assert rarer["origin"] == "bundled" and len(probabilities(rarer)) == 5


def test_the_threshold_the_scores_and_the_split(client: Client) -> None:
    high = client.predict(method="plain", threshold=0.9, api_name="/imbalanced_threshold")
    low = client.predict(method="plain", threshold=0.1, api_name="/imbalanced_threshold")
    caught = {r["model"]: r["defaulters caught"] for r in low["table"]}
    assert caught["plain"] > {r["model"]: r["defaulters caught"] for r in high["table"]}["plain"]
    assert low["confusion"][0]["type"] == "heatmap"
    scores = client.predict(api_name="/imbalanced_scores")
    assert "96.7% accuracy" in scores["note"]
    assert any(row["model"].startswith("logistic regression, class_weight") for row in scores["table"])
    rows = client.predict(view="split", part="train", start=0, api_name="/imbalanced_data")["rows"]
    assert len(rows) == 25 and {row["split"] for row in rows} == {"train"}
    held = client.predict(group="defaulters", index=3, api_name="/imbalanced_heldout")
    assert "**defaulted**" in held["answer"]


@pytest.mark.parametrize(
    ("endpoint", "inputs", "message"),
    [
        # Gradio checks a slider's bounds and a dropdown's choices itself; a number box's range is
        # the lab's check.
        ("/imbalanced_threshold", {"threshold": 1.5}, "greater than maximum value"),
        ("/imbalanced_customer", {"balance": 5000}, r"Balance \(\$\): 5000 is out of range \[0, 3000\]"),
        ("/imbalanced_threshold", {"method": "xgboost"}, "xgboost is not in the list of choices"),
        ("/imbalanced_heldout", {"group": "defaulters", "index": 70}, "there are 67 defaulters"),
        ("/imbalanced_scores", {"model": "session"}, "no trained model yet"),
        ("/imbalanced_scores", {"model": "forest"}, "Unknown model 'forest'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, endpoint: str, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=endpoint)


def test_a_tiny_training_becomes_this_sessions_models(client: Client) -> None:
    with pytest.raises(AppError, match="lower k or keep more defaulters"):
        client.predict(defaults_kept=0.02, smote_neighbours=10, api_name="/imbalanced_train")
    outputs = client.predict(
        methods=["plain", "smote"], hidden_sizes="8", epochs=1, api_name="/imbalanced_train"
    )
    status, loss, accuracy, recall, pr_auc, _samples, download, model_choice, model_text = outputs
    assert "Training finished" in status
    for chart in (loss, accuracy, recall, pr_auc):
        assert json.loads(chart["plot"])["data"], "a training chart has no series"
    assert download and model_choice == "session" and "trained in this session" in model_text
    result = client.predict(model="session", api_name="/imbalanced_customer")
    assert result["origin"] == "session" and list(probabilities(result)) == ["plain", "SMOTE"]
    with pytest.raises(AppError, match="trained without class weights"):
        client.predict(model="session", method="weights", api_name="/imbalanced_threshold")
