"""imbalanced_recall: the imbalanced data lab's default recipe beside the course's (Lab Work 8,
adapted to ISLR's Default), with scikit-learn's baselines, in one run.

Every recipe runs on the same split (8,000 training and 2,000 held-out customers, 266 and 67
defaulters, split seed 2024, stratified) and the same inputs (standardised balance and income,
the student flag); every figure is on the held-out customers, at the threshold 0.5 for
accuracy, precision, recall and F1:
- default: the lab's settings (an MLP 32-16 per method: plain, class weights, undersampling,
  oversampling, SMOTE-NC; Adam 2e-3, batch 128, 20 epochs), seeds 0, 1 and 2, through the app's
  runner as a student's training;
- rarer: the same with a quarter of the training defaulters kept (66, 0.8%), seeds 0, 1, 2;
- course: Lab Work 8's code as it is, on this data: an MLP 16-8 with two outputs and
  cross-entropy, Adam 0.001, batch 64, 10 epochs, batches drawn by a WeightedRandomSampler with
  weights 1 / class count (both classes equally often), on inputs standardised on the training
  split as the course's StandardScaler did; seeds 0, 1, 2 (on one thread, as the lab trains);
- course-in-lab: the course's settings in the lab (COURSE_RECIPE: random oversampling, 16-8,
  Adam 0.001, batch 64, 10 epochs), seeds 0, 1, 2;
- scikit-learn: "no one defaults", logistic regression plain and with class_weight="balanced",
  gradient boosting with balanced weights, logistic regression on SMOTE-NC's data.

The criterion is the lab's: a held-out recall of the defaulters of at least 0.8, with precision
reported beside it. Seconds to it are the runner's training clock at the first epoch end that
meets it. Run it alone with `python -m benchmarks.imbalanced_bench` (or `python -m benchmarks
imbalanced_recall`).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress, train_in_runner

NAME = "imbalanced_recall"
SEEDS = (0, 1, 2)
TARGET_SECONDS = 30.0  # a default training on 2 cores (the bound)
KEYS = ("accuracy", "precision", "recall", "f1", "pr_auc", "roc_auc")


def run_lab(settings: dict[str, Any]) -> tuple[Any, float]:
    """Train through the app's runner: the result and the wall seconds."""
    job, wall = train_in_runner("imbalanced", settings)
    return job.result, wall


def course_code(seed: int, epochs: int) -> tuple[dict[str, Any], float]:
    """Lab Work 8's code on the lab's split: its model, sampler, loss and optimiser, unchanged
    but for the data (its held-out figures, its training seconds)."""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

    from core.labs.imbalanced.data import credit_data
    from core.labs.imbalanced.train import classification_figures
    from core.recurrent import one_thread

    torch.manual_seed(seed)
    data = credit_data(1.0, seed)  # the lab's inputs: balance and income standardised on training
    x_train, y_train = torch.tensor(data.x_train), torch.tensor(data.y_train, dtype=torch.long)
    class_counts = np.bincount(data.y_train)
    class_weights = 1.0 / torch.tensor(class_counts, dtype=torch.float32)
    sample_weights = class_weights[y_train]
    sampler = WeightedRandomSampler(weights=sample_weights, num_samples=len(sample_weights), replacement=True)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, sampler=sampler)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    started = time.perf_counter()
    with one_thread():
        for _ in range(epochs):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
    seconds = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        p = torch.softmax(model(torch.tensor(data.x_heldout)), dim=1)[:, 1].numpy()
    return classification_figures(data.y_heldout, p), seconds


def baselines() -> dict[str, dict[str, Any]]:
    """Scikit-learn on the lab's split and inputs (the lab's own baselines, and logistic
    regression on SMOTE-NC's resampled training set)."""
    from sklearn.linear_model import LogisticRegression

    from core.labs.imbalanced.data import credit_data, training_set
    from core.labs.imbalanced.train import classification_figures, fit_baselines, saved

    data = credit_data(1.0, 0)
    found = saved(fit_baselines(data))
    smote = training_set("smote", data.x_train, data.y_train, 0)
    started = time.perf_counter()
    model = LogisticRegression().fit(smote.x, smote.y)
    seconds = round(time.perf_counter() - started, 3)
    found["logistic_smote"] = classification_figures(
        data.y_heldout, model.predict_proba(data.x_heldout)[:, 1]
    )
    found["logistic_smote"]["seconds"] = seconds
    return found


@benchmark(
    NAME,
    "Imbalanced credit defaults (ISLR Default, 3.3%): held-out accuracy, precision, recall, F1, "
    "PR-AUC and ROC-AUC of plain training, class weights, undersampling, oversampling and SMOTE "
    "(3 seeds), with a quarter of the defaulters, beside the course's Lab Work 8 code and "
    "scikit-learn's baselines, in one run.",
)
def imbalanced_recall(options: Options) -> Result:
    from core.labs.imbalanced.train import COURSE_RECIPE, TARGET_RECALL

    seeds = SEEDS[:1] if options.quick else SEEDS
    short = {"epochs": 2} if options.quick else {}
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    progress("imbalanced: scikit-learn baselines...")
    base = baselines()
    for name, values in base.items():
        for key in (*KEYS, "seconds"):
            figures[f"sklearn_{name}.{key}"] = values[key]
    details["baselines"] = base

    recipes = {"default": {}, "rarer": {"defaults_kept": 0.25}, "course-in-lab": dict(COURSE_RECIPE)}
    for recipe, settings in recipes.items():
        for seed in seeds:
            progress(f"imbalanced, {recipe} recipe, seed {seed}...")
            trained, wall = run_lab(settings | short | {"seed": seed})
            metrics = trained.metrics
            label = f"{recipe}-seed{seed}"
            figures[f"{label}.train_seconds"] = metrics["train_seconds"]
            figures[f"{label}.wall_seconds"] = round(wall, 2)
            for method, held in metrics["heldout"].items():
                for key in KEYS:
                    figures[f"{label}.{method}.{key}"] = held[key]
                figures[f"{label}.{method}.seconds_to_target_recall"] = metrics["seconds_to_target_recall"][
                    method
                ]
            details[label] = {"settings": settings | short | {"seed": seed}, "metrics": metrics}

    for seed in seeds:
        progress(f"imbalanced, the course's code, seed {seed}...")
        held, seconds = course_code(seed, 2 if options.quick else 10)
        for key in KEYS:
            figures[f"course-code-seed{seed}.{key}"] = held[key]
        figures[f"course-code-seed{seed}.train_seconds"] = round(seconds, 2)

    # Over the seeds: the mean and the range of each method's recall and precision.
    for recipe in recipes:
        methods = [m for m in details[f"{recipe}-seed{seeds[0]}"]["metrics"]["heldout"]]
        for method in methods:
            for key in ("recall", "precision", "pr_auc"):
                values = [figures[f"{recipe}-seed{seed}.{method}.{key}"] for seed in seeds]
                figures[f"{recipe}.{method}.{key}_mean"] = round(statistics.mean(values), 4)
                figures[f"{recipe}.{method}.{key}_range"] = f"{min(values):.3f}-{max(values):.3f}"
    default_seconds = [figures[f"default-seed{seed}.train_seconds"] for seed in seeds]
    figures["default.train_seconds_max"] = max(default_seconds)
    meeting = {
        seed: [
            m
            for m in details[f"default-seed{seed}"]["metrics"]["heldout"]
            if figures[f"default-seed{seed}.{m}.recall"] >= TARGET_RECALL
        ]
        for seed in seeds
    }
    figures["default.methods_meeting_target_per_seed"] = "; ".join(
        f"seed {seed}: {', '.join(found) or 'none'}" for seed, found in meeting.items()
    )
    met = all(meeting.values()) and max(default_seconds) <= TARGET_SECONDS
    return Result(
        figures=figures,
        target=(
            f"default recipe, every seed: at least one method with held-out recall >= {TARGET_RECALL} "
            f"(precision reported beside it), trained in <= {TARGET_SECONDS:.0f} s"
        ),
        met=None if options.quick else met,
        notes=[
            "Held-out figures on the 2,000 held-out customers (67 defaulters), threshold 0.5; "
            "seconds_to_target_recall: None when never reached.",
            "Training runs niced in the runner's thread on one core; other sessions share this 2-core "
            "machine, so seconds move with its load (see the load averages).",
        ],
        details=details,
    )


if __name__ == "__main__":
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
