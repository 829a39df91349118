"""The Transformer page's own training view: loss and held-out BLEU side by side, then the
translations of a few held-out sentences as the model learns (text, not pictures)."""

from __future__ import annotations

import streamlit as st

from core import charts
from core.history import TrainingHistory


def training_view(history: TrainingHistory) -> None:
    if not history.steps:
        return
    loss, bleu = st.columns(2)
    loss.plotly_chart(charts.training_curves(history, "loss"), key="transformer-loss-chart")
    bleu.plotly_chart(charts.training_curves(history, "bleu"), key="transformer-bleu-chart")
    if history.samples is not None:
        st.markdown(history.samples.title)
