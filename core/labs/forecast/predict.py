"""Forecast a series with the RNN, LSTM and GRU exported from Deep Learning Labs' forecasting
lab (each trained on one series: Melbourne's temperatures, Mauna Loa's CO2...).

    python predict.py 20.7 17.9 18.8 14.6 15.8 ... --steps 7
    python predict.py --file last-month.txt --steps 14 --strategy recursive

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the forecasters, model.safetensors and config.json hold what was trained, how many past
values each reads (`window`) and how values are scaled (`scaling`, fitted on the training
years). Give at least `window` values, oldest first, in the series' units (typed, or in a file
separated by spaces, commas or new lines, or both: the file's first): the last `window` are
read. "direct" takes the first --steps of the model's outputs (at most its `horizon`);
"recursive" feeds each one-step forecast back as the newest value (up to 60 steps). Prints each
model's forecasts, one line each.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import torch
from model import build_forecasters
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
MAX_STEPS = 60


def numbers(texts: list[str]) -> list[float]:
    values = []
    for part in (p for text in texts for p in re.split(r"[,;\s]+", text) if p):
        try:
            values.append(float(part))
        except ValueError:
            sys.exit(f"{part!r} is not a number: give values such as 21.5 19 24")
        if not math.isfinite(values[-1]):
            sys.exit(f"{part!r} is not a usable value")
    return values


def scaled_forecast(model: torch.nn.Module, scaling: dict, window: torch.Tensor, steps: int, strategy: str):
    """(steps,) forecasts in the series' units from a (W,) window of it, as the app makes them:
    values are measured from an anchor (the training mean, or for a `relative` series the
    window's last value) in units of `scale`."""

    def anchor(values: torch.Tensor) -> float:
        return float(values[-1]) if scaling["relative"] else scaling["centre"]

    def read(values: torch.Tensor) -> torch.Tensor:
        centre = anchor(values)
        scaled = ((values - centre) / scaling["scale"]).float()[None]
        return model(scaled)[0].double() * scaling["scale"] + centre

    if strategy == "direct":
        return read(window)[:steps]
    predicted = []
    for _ in range(steps):
        value = read(window)[:1]  # the one-step forecast becomes the newest value
        predicted.append(value)
        window = torch.cat([window[1:], value])
    return torch.cat(predicted)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("values", nargs="*", help="the latest values, oldest first")
    parser.add_argument("--file", help="a text file of values, oldest first")
    parser.add_argument("--steps", type=int, default=None, help="how many steps ahead (default: horizon)")
    parser.add_argument("--strategy", choices=("direct", "recursive"), default="recursive")
    args = parser.parse_args()
    config = json.loads((HERE / "config.json").read_text())
    width, horizon = int(config["window"]), int(config["horizon"])
    texts = ([Path(args.file).read_text()] if args.file else []) + list(args.values)  # older first
    values = numbers(texts)
    if len(values) < width:
        sys.exit(f"these models read the last {width} values: give at least {width}, got {len(values)}")
    steps = horizon if args.steps is None else args.steps
    if not 1 <= steps <= (horizon if args.strategy == "direct" else MAX_STEPS):
        limit = (
            f"{horizon} for direct forecasts (or use recursive)" if args.strategy == "direct" else MAX_STEPS
        )
        sys.exit(f"--steps must be from 1 to {limit}")
    models = build_forecasters(config)
    models.load_state_dict(load_file(HERE / "model.safetensors"))
    models.eval()
    window = torch.tensor(values[-width:], dtype=torch.float64)
    with torch.no_grad():
        for name, model in models.items():
            forecast = scaled_forecast(model, config["scaling"], window, steps, args.strategy)
            print(f"{name}: " + ", ".join(f"{value:.4f}" for value in forecast.tolist()))


if __name__ == "__main__":
    main()
