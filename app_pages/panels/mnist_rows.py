"""MNIST row by row in Streamlit: the training view puts every reader's curves on one chart."""

from __future__ import annotations

import streamlit as st

from core import charts
from core.history import TrainingHistory
from core.labs.mnist_rows.train import comparison_figures


def training_view(history: TrainingHistory) -> None:
    """Held-out accuracy and training loss of every reader side by side, then the held-out
    digits captioned with each reader's answer."""
    figures = comparison_figures(history)
    if figures is not None:
        for column, figure, name in zip(st.columns(2), figures, ("accuracy", "loss"), strict=True):
            column.plotly_chart(figure, key=f"mnist-rows-{name}-chart")
    if history.samples is not None:
        st.caption(history.samples.title)
        images = [charts.picture(image, 56) for image in history.samples.images]
        st.image(images, caption=list(history.samples.captions))
