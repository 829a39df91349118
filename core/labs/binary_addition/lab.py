"""Binary addition lab: an LSTM reads two binary numbers least significant bit first, one column
per step, and emits each bit of their sum through a sigmoid; trained at one length, it is tested
at every length from 1 to 20."""

from __future__ import annotations

from typing import Any

from torch import nn

from core.labs.base import Lab, TrainedModel
from core.labs.binary_addition import train as training
from core.labs.binary_addition.interactions import INTERACTIONS
from core.labs.binary_addition.model import BitAdder
from core.labs.binary_addition.spec import SPEC


class BinaryAdditionLab(Lab):
    spec = SPEC
    variants = {"5-bit": "binary-addition"}  # noqa: RUF012  (trained at 5 bits, as the course)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "bit_accuracy", "sum_accuracy")
    samples_label = "(no pictures in this lab)"
    course_recipe = training.COURSE_RECIPE
    onnx_note = (
        "the LSTM steps through the columns in a Python loop as long as the numbers, which an ONNX "
        "file would fix to one length; predict.py adds numbers of any length up to max_bits."
    )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Adding reads these later: a hand-edited config is refused on load instead.
        for key, default in (("max_bits", training.MAX_BITS), ("train_length", None)):
            value = config.get(key, default)
            if (value is not None or key == "max_bits") and not (type(value) is int and value > 0):
                raise ValueError(f"{key} must be a positive whole number, got {value!r}")
        return BitAdder(int(config["hidden_size"]))

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained)

    def headline(self, metrics: dict[str, Any]) -> str:
        rows = {row["length"]: row for row in metrics.get("lengths", [])}
        length = metrics.get("train_length")
        if not rows or length not in rows:
            return ""
        longest = max(rows)
        return (
            f"trained at {length} bits: {rows[length]['sum_accuracy']:.0%} of sums right there, "
            f"every sum right up to {metrics.get('all_sums_right_up_to', 0)} bits, "
            f"{rows[longest]['sum_accuracy']:.0%} at {longest} bits"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        table = "\n".join(
            f"| {r['length']} | {r['bit_accuracy']:.2%} | {r['sum_accuracy']:.2%} |"
            for r in metrics.get("lengths", [])
        )
        body = (
            f"# Binary addition LSTM ({config.get('hidden_size')} units)\n\n"
            f"Trained by Deep Learning Labs on pairs of {config.get('train_length')}-bit numbers, "
            "least significant bit first; tested at every length from 1 to 20:\n\n"
            "| bits | bit accuracy | sums all right |\n| --- | --- | --- |\n"
            f"{table}\n\n"
        )
        return self.card(("lstm", "binary-addition"), body, config)


LAB = BinaryAdditionLab()
