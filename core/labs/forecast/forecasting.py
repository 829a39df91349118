"""Windows, forecasts and their errors: what the training, the interactions and the benchmark
share.

A forecast starts at an origin t: it reads the window values[t - W : t] and forecasts
values[t : t + H]. Held-out origins are the held-out positions with H values after them, so
every horizon is scored on the same forecasts (a window may reach back into the training years:
that past was observed).

- direct: the model's H outputs at once;
- recursive: its first output, fed back as the newest value of the window, H times;
- baselines, every one from the same windows: last value (tomorrow = today), seasonal naive
  (the same day a year before), and a linear autoregression fitted by statsmodels on the
  training years (AutoReg with as many lags as the window, forecast recursively).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from core.labs.forecast.series import Series

STRATEGIES = ("recursive", "direct")
BASELINES = ("last_value", "seasonal_naive", "autoregression")
BASELINE_NAMES = {
    "last_value": "last value",
    "seasonal_naive": "seasonal naive",
    "autoregression": "linear autoregression (statsmodels)",
}


@dataclass(frozen=True)
class Scaling:
    """How values become what the networks read: (value - centre) / scale, where the centre is the
    training mean, or, for a `relative` series, the window's last value (the networks then read
    and forecast changes). Fitted on the training years only; recorded in config.json."""

    centre: float
    scale: float
    relative: bool

    @classmethod
    def fit(cls, series: Series) -> Scaling:
        train = series.train
        if series.relative:  # the size of a week's change
            return cls(0.0, float(np.std(np.diff(train))), True)
        return cls(float(np.mean(train)), float(np.std(train)), False)

    def anchors(self, windows: np.ndarray) -> np.ndarray:
        """(N, 1): what each window's values are measured from."""
        if self.relative:
            return windows[:, -1:]
        return np.full((len(windows), 1), self.centre)

    def scaled(self, values: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        return ((values - anchors) / self.scale).astype(np.float32)

    def unscaled(self, scaled: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        return np.asarray(scaled, dtype=np.float64) * self.scale + anchors

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def windows_at(values: np.ndarray, origins: np.ndarray, window: int) -> np.ndarray:
    """(N, W): the W values before each origin."""
    return values[origins[:, None] + np.arange(-window, 0)]


def targets_at(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """(N, H): the H values from each origin on."""
    return values[origins[:, None] + np.arange(horizon)]


def training_origins(series: Series, window: int, horizon: int) -> np.ndarray:
    """Origins whose window and targets both lie in the training years."""
    return np.arange(window, series.heldout_start - horizon + 1)


def heldout_origins(series: Series, horizon: int) -> np.ndarray:
    """Held-out origins with `horizon` values after them."""
    return np.arange(series.heldout_start, len(series) - horizon + 1)


@torch.no_grad()
def forecast(
    model: torch.nn.Module, scaling: Scaling, windows: np.ndarray, steps: int, strategy: str
) -> np.ndarray:
    """(N, steps) forecasts in the series' units from (N, W) windows of it. `direct` reads the
    first `steps` of the model's outputs (steps <= its horizon); `recursive` feeds back the first."""
    was_training = model.training
    model.eval()
    anchors = scaling.anchors(windows)
    if strategy == "direct":
        scaled = model(torch.from_numpy(scaling.scaled(windows, anchors)))[:, :steps].numpy()
        model.train(was_training)
        return scaling.unscaled(scaled, anchors)
    current = np.array(windows, dtype=np.float64)
    predicted = []
    for _ in range(steps):
        anchor = scaling.anchors(current)
        first = model(torch.from_numpy(scaling.scaled(current, anchor)))[:, :1].numpy()
        value = scaling.unscaled(first, anchor)  # (N, 1)
        predicted.append(value)
        current = np.concatenate([current[:, 1:], value], axis=1)  # the forecast becomes the newest value
    model.train(was_training)
    return np.concatenate(predicted, axis=1)


# --- baselines ------------------------------------------------------------------------------


def fit_autoregression(series: Series, lags: int) -> np.ndarray:
    """statsmodels' AutoReg on the training years with a constant: [constant, lag 1, ..., lag p]."""
    from statsmodels.tsa.ar_model import AutoReg

    return np.asarray(AutoReg(series.train, lags=lags, trend="c").fit().params, dtype=np.float64)


def autoregression_forecast(params: np.ndarray, windows: np.ndarray, steps: int) -> np.ndarray:
    """(N, steps): the fitted autoregression run forward from each window (its own forecasts fed
    back), for all windows at once."""
    lags = len(params) - 1
    current = np.array(windows[:, -lags:], dtype=np.float64)
    predicted = []
    for _ in range(steps):
        value = params[0] + current[:, ::-1] @ params[1:]  # lag 1 is the newest value
        predicted.append(value)
        current = np.concatenate([current[:, 1:], value[:, None]], axis=1)
    return np.stack(predicted, axis=1)


def seasonal_naive(values: np.ndarray, origins: np.ndarray, steps: int, period: int) -> np.ndarray:
    """(N, steps): each target's value one season before (two, beyond a season ahead), seen
    before the origin."""
    ahead = np.arange(steps)
    back = period * (ahead // period + 1)
    return values[origins[:, None] + ahead - back]


def baseline_forecasts(
    series: Series, origins: np.ndarray, windows: np.ndarray, steps: int, ar_params: np.ndarray
) -> dict[str, np.ndarray]:
    return {
        "last_value": np.repeat(windows[:, -1:], steps, axis=1),
        "seasonal_naive": seasonal_naive(series.values, origins, steps, series.period),
        "autoregression": autoregression_forecast(ar_params, windows, steps),
    }


def mae_by_horizon(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(H,): the mean absolute error at each step ahead."""
    return np.abs(predicted - truth).mean(axis=0)


def rmse_by_horizon(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return np.sqrt(((predicted - truth) ** 2).mean(axis=0))
