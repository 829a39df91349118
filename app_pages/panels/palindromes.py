"""Palindromes: the live view of a sweep in training (accuracy against T as each length
finishes, and both models' curves at the length being trained)."""

from __future__ import annotations

import streamlit as st

from core.history import TrainingHistory
from core.labs.palindromes.figures import accuracy_figure, current_length_curves, finished_rows


def training_view(history: TrainingHistory) -> None:
    if rows := finished_rows(history):
        title = "Held-out accuracy against T, as each length finishes"
        st.plotly_chart(accuracy_figure(rows, title), key="palindromes-live-sweep")
    if history.steps:
        left, right = st.columns(2)
        loss, held = current_length_curves(history)
        left.plotly_chart(loss, key="palindromes-live-loss")
        right.plotly_chart(held, key="palindromes-live-heldout")
