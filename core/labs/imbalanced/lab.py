"""Imbalanced data lab: small MLPs predict credit-card defaults (3.3% of customers) with plain
training, class weights, undersampling, oversampling and SMOTE side by side, beside
scikit-learn's logistic regression and gradient boosting and the "no one defaults" answer."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel, card_front_matter
from core.labs.imbalanced import train as training
from core.labs.imbalanced.interactions import INTERACTIONS
from core.labs.imbalanced.model import DefaultModels
from core.labs.imbalanced.spec import METHOD_NAMES, METHODS, SPEC, TRAIN_DEFAULTS


class ImbalancedLab(Lab):
    spec = SPEC
    # "default": the lab's defaults; "rarer": the same with a quarter of the training defaulters.
    variants = {"default": "imbalanced-default", "rarer": "imbalanced-rarer"}  # noqa: RUF012
    interactions = INTERACTIONS
    # Every model on every chart (`training_figures`): its loss per step, then held-out
    # accuracy, recall and precision, PR-AUC at each epoch's end.
    train_metrics = ("loss", "accuracy", "recall", "pr_auc")
    samples_label = None
    # No best_metric: picking the epoch by held-out figures would flatter them.
    course_recipe = training.COURSE_RECIPE
    trainer = training

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        kept = max(1, round(TRAIN_DEFAULTS * params["defaults_kept"]))
        training.check_smote(params["methods"], kept, params["smote_neighbours"])
        return params

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        training.check_config(config)  # refuse now what the interactions could not use later
        return DefaultModels(list(config["methods"]), tuple(config["hidden_sizes"]))

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model, torch.sigmoid)  # (N, methods): each one's p(default)

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 3),)  # standardised balance and income, student as 0 or 1

    onnx_about = (
        '(N, 3) customers in: balance and income standardised with config.json\'s "scaling", student 1 '
        "or 0; (N, methods) out: each model's probability of default, in config.json's \"methods\" order."
    )

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Any:
        kept = (params or {}).get("defaults_kept", 1.0)
        return self.variant_path("rarer" if kept < 1 else "default")

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say Defaulters kept in training at 0.25, and compare the "
            "recall and PR-AUC of each method in the Scores tab (or move the threshold of the plain model)."
        )

    def model_name(self, trained: TrainedModel) -> str:
        methods = ", ".join(METHOD_NAMES.get(m, m) for m in trained.model)
        kept = trained.config.get("imbalance", {}).get("defaults_kept", 1.0)
        name = f"{trained.config.get('architecture', 'MLP')}: {methods}"
        if isinstance(kept, int | float) and kept != 1.0:
            name += f"; {kept:.0%} of the training defaulters kept"
        return name

    def headline(self, metrics: dict[str, Any]) -> str:
        heldout = metrics.get("heldout")
        if not isinstance(heldout, dict):
            return ""
        try:
            return "held-out recall / precision at 0.5: " + "; ".join(
                f"{METHOD_NAMES[m]} {heldout[m]['recall']:.2f} / {heldout[m]['precision']:.2f}"
                for m in METHODS
                if m in heldout
            )
        except (KeyError, TypeError, ValueError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        heldout, baselines = metrics.get("heldout", {}), metrics.get("baselines", {})
        rows = [(METHOD_NAMES[m], heldout[m]) for m in METHODS if m in heldout] + [
            (f"{label} (scikit-learn)", baselines[name])
            for name, label in training.BASELINES.items()
            if name in baselines
        ]
        table = "\n".join(
            f"| {name} | " + " | ".join(f"{f.get(key, 0):.3f}" for key in training.FIGURES) + " |"
            for name, f in rows
        )
        data = config.get("data", {})
        source = data.get("source", {})
        imbalance = config.get("imbalance", {})
        hidden = str(params.get("hidden_sizes", "none")).replace(" ", "")
        methods = ",".join(config.get("methods", []))
        return (
            card_front_matter("tabular-classification", "imbalanced-classification", "credit-default")
            + f"# Credit-card defaults: {config.get('architecture')}, "
            "one per way of handling the imbalance\n\n"
            f"Trained by Deep Learning Labs' imbalanced lab on {data.get('description')}. Data: "
            f"{source.get('origin')}; {source.get('licence')}; loaded through {source.get('reference')}. "
            f"{source.get('notes', '')} Tensors `<method>.*` are each method's model ({methods}); all "
            "started from the same weights.\n\n"
            f"Held-out figures ({metrics.get('heldout_size')} customers, {metrics.get('heldout_defaults')} "
            f"defaulters, never trained on, never resampled) at the threshold {metrics.get('threshold')}:\n\n"
            "| model | accuracy | precision | recall | F1 | PR-AUC | ROC-AUC |\n"
            "| --- | --- | --- | --- | --- | --- | --- |\n"
            f"{table}\n\n"
            f"- Training defaulters kept: {imbalance.get('defaults_kept', 1.0):.0%} "
            f"({metrics.get('train_defaults')} of {metrics.get('train_size')} training customers)\n"
            "- Resampling by imbalanced-learn (RandomUnderSampler, RandomOverSampler, SMOTENC with "
            f"k = {config.get('smote_neighbours')}); class weights by scikit-learn's 'balanced'\n"
            "- Input: standardised balance and income, student 0/1 (config.json's `scaling`); output: "
            "one logit per model, p = sigmoid(logit)\n\n"
            + self.reproduce(
                config,
                extra=f" --set hidden_sizes={hidden} --set methods={methods}",
                skip=("hidden_sizes", "methods"),
            )
        )


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Each model's loss per step; held-out accuracy, recall and precision, PR-AUC at each
    epoch's end."""
    present = [m for m in METHODS if history.steps.get(f"{m}_loss")]
    models = [(m, METHOD_NAMES[m]) for m in present]
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Each model's loss (training batches)", "loss", smooth=10
    )
    accuracy = _epoch_lines(
        history, present, [("accuracy", "solid")], "Held-out accuracy (the number that hides the defaulters)"
    )
    recall = _epoch_lines(
        history,
        present,
        [("recall", "solid"), ("precision", "dot")],
        "Held-out recall (solid) and precision (dotted) at 0.5",
    )
    recall.add_hline(
        y=training.TARGET_RECALL,
        line=dict(color="grey", dash="dash", width=1),
        annotation_text="target recall 0.8",
    )
    pr_auc = _epoch_lines(history, present, [("pr_auc", "solid")], "Held-out PR-AUC (guessing: 0.033)")
    return [loss, accuracy, recall, pr_auc]


def _epoch_lines(
    history: TrainingHistory, methods: list[str], figures: list[tuple[str, str]], title: str
) -> go.Figure:
    figure = go.Figure()
    for m in methods:
        colour = charts.CLASS_COLOURS[METHODS.index(m)]
        for name, dash in figures:
            points = history.epochs.get(f"heldout_{m}_{name}", [])
            if points:
                x, y = zip(*points, strict=True)
                figure.add_scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=f"{METHOD_NAMES[m]} {name.replace('_', '-')}",
                    line=dict(color=colour, dash=dash, width=2),
                    marker=dict(size=5),
                )
    figure.update_yaxes(range=[0, 1.02])
    figure.update_layout(
        title=title,
        xaxis_title="epoch",
        height=320,
        margin=dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return figure


LAB = ImbalancedLab()
