"""Palindromes: the live view of a sweep in training (accuracy against T as each length
finishes, over the seeds so far in mode seeds, and both models' curves at the length being
trained)."""

from __future__ import annotations

import streamlit as st

from core.history import TrainingHistory
from core.labs.palindromes.figures import current_length_curves, live_accuracy_figure


def training_view(history: TrainingHistory) -> None:
    if figure := live_accuracy_figure(history):
        st.plotly_chart(figure, key="palindromes-live-sweep")
    if history.steps:
        left, right = st.columns(2)
        loss, held = current_length_curves(history)
        left.plotly_chart(loss, key="palindromes-live-loss")
        right.plotly_chart(held, key="palindromes-live-heldout")
