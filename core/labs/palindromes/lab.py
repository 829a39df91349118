"""Palindromes lab: a vanilla RNN and an LSTM, both written from their equations, learn to name
the last digit of a palindrome from the digits before it; the LSTM keeps doing so at lengths
where the RNN falls to chance."""

from __future__ import annotations

from typing import Any

from torch import nn

from core.labs.base import Lab, TrainedModel
from core.labs.palindromes import train as training
from core.labs.palindromes.interactions import INTERACTIONS
from core.labs.palindromes.model import PalindromeModels
from core.labs.palindromes.spec import SPEC
from core.specs import SpecError


class PalindromesLab(Lab):
    spec = SPEC
    # T = 5, 10, ..., 30: seed 0, and the same sweep for seeds 0, 1 and 2 (mode seeds).
    variants = {"sweep": "palindromes", "seeds": "palindromes-seeds"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "lstm_accuracy", "rnn_accuracy")
    samples_label = "(no pictures in this lab)"
    onnx_note = (
        "the model is a pair of recurrences per trained length, each stepping through the digits in a "
        "Python loop; one ONNX file would hold one pair at one length. predict.py answers at every length."
    )
    course_recipe = training.COURSE_RECIPE

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["mode"] != "single" and params["shortest"] > params["longest"]:
            raise SpecError(
                f"Shortest T ({params['shortest']}) is longer than the longest ({params['longest']}): "
                "lower it, or pick mode single."
            )
        return params

    def next_step(self) -> str:
        return (
            "train in mode seeds to see how reliable each model is over several seeds, or set the "
            "LSTM forget-gate bias back to 1.0 and compare how long the LSTM takes at T = 25 and 30."
        )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        seeds = len(config.get("seeds") or [0])
        return PalindromeModels([int(t) for t in config["lengths"]], int(config["hidden_size"]), seeds=seeds)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained)

    def model_name(self, trained: TrainedModel) -> str:
        lengths = ", ".join(map(str, trained.model.lengths))
        seeds = trained.config.get("seeds") or []
        over = f", for {len(seeds)} seeds (the first seed's answer)" if len(seeds) > 1 else ""
        units = trained.config.get("hidden_size")
        return f"RNN and LSTM pairs of {units} units, trained at T = {lengths}{over}"

    def headline(self, metrics: dict[str, Any]) -> str:
        if metrics.get("over_seeds"):
            return training.seeds_headline(metrics)
        rows = metrics.get("lengths") or []
        if not rows:
            return ""
        longest = max(rows, key=lambda row: row["length"])
        text = (
            f"at T = {longest['length']}: LSTM {longest['lstm']:.0%}, RNN {longest['rnn']:.0%} held-out"
            if len(rows) == 1
            else f"held-out accuracy over T = {rows[0]['length']}..{longest['length']}"
        )
        if len(rows) > 1 and metrics.get("lstm_perfect_up_to"):
            text += f": LSTM 100% up to T = {metrics['lstm_perfect_up_to']}"
        if len(rows) > 1 and metrics.get("rnn_near_chance_from"):
            text += f", RNN near chance from T = {metrics['rnn_near_chance_from']}"
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        body = (
            f"# Palindromes: vanilla RNN vs LSTM ({config.get('hidden_size')} units)\n\n"
            "Each length T has its own pair, trained by Deep Learning Labs' palindromes lab to name the "
            "last digit of a palindrome from the first T-1 (one-hot digits).\n\n"
            f"Held-out accuracy ({training.HELDOUT_SIZE:,} fixed palindromes per length) and steps to "
            f"reach 100%:\n\n{training.steps_table(metrics.get('lengths', []))}\n\n"
        )
        if metrics.get("over_seeds"):
            body = body.replace("Held-out accuracy", "The first seed's held-out accuracy", 1)
            headline = training.seeds_headline(metrics)
            table = training.seeds_table(metrics["over_seeds"])
            body += f"{headline[0].upper()}{headline[1:]}:\n\n{table}\n\n"
        return self.card(("lstm", "rnn", "palindromes"), body, config)


LAB = PalindromesLab()
