"""The seq2seq page's own training view: both models on one chart for the loss and one for the
held-out BLEU, as they grow, and the BLEU of each epoch (overall and on long sentences)."""

from __future__ import annotations

import streamlit as st

from core import charts
from core.history import TrainingHistory
from core.labs.seq2seq.model import MODEL_LABELS, MODELS
from core.labs.seq2seq.train import LONG_WORDS


def training_view(history: TrainingHistory) -> None:
    loss, bleu = st.columns(2)
    series = [(f"loss_{name}", MODEL_LABELS[name]) for name in MODELS]
    loss.plotly_chart(
        charts.series_curves(history, series, "Training loss (cross-entropy per word)", "loss", smooth=10),
        key="seq2seq-loss-chart",
    )
    series = [(f"heldout_bleu_{name}", MODEL_LABELS[name]) for name in MODELS]
    bleu.plotly_chart(
        charts.series_curves(history, series, "Held-out BLEU (live sample of 150 sentences)", "BLEU"),
        key="seq2seq-bleu-chart",
    )
    rows = []
    for index, (epoch, _) in enumerate(history.epochs.get("heldout_bleu_attention", [])):
        figures = [
            history.epochs[f"heldout_{kind}_{name}"][index][1]
            for name in MODELS
            for kind in ("bleu", "bleu_long")
        ]
        rows.append(f"| {epoch} | " + " | ".join(f"{value:.1f}" for value in figures) + " |")
    if rows:
        st.markdown(
            f"Held-out BLEU after each epoch (all 500; long: more than {LONG_WORDS} words)\n\n"
            "| epoch | with attention | with attention, long | without | without, long |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(rows)
        )
