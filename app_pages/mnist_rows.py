"""MNIST row by row: train RNN, LSTM, GRU and bidirectional readers side by side, then draw a
digit and see every reader's answer and its hidden state over the 28 rows."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui_streamlit as ui
from core import charts
from core.history import TrainingHistory
from core.imaging import ImageInputError
from core.labs import mnist_rows
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("mnist-rows")
SPEC = LAB.spec
TRAINING = "mnist-rows-training"  # session-state key of this page's training


def model_label(name: str) -> str:
    return mnist_rows.MODEL_NAMES.get(name, name)


def trained_names(history: TrainingHistory) -> list[str]:
    """The readers in this training, in the order the lab lists them."""
    return [name for name in mnist_rows.MODEL_NAMES if f"{name}_loss" in history.steps]


def comparison(history: TrainingHistory) -> None:
    """Every reader's curves on one chart: held-out accuracy (live sample) and training loss."""
    names = trained_names(history)
    if not names:
        return
    models = [(name, model_label(name)) for name in names]
    accuracy, loss = st.columns(2)
    accuracy_chart = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy (live sample, then epoch ends)",
        "accuracy",
    )
    accuracy_chart.update_yaxes(tickformat=".0%")
    accuracy.plotly_chart(accuracy_chart, key="mnist-rows-accuracy-chart")
    loss_chart = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    loss.plotly_chart(loss_chart, key="mnist-rows-loss-chart")
    if history.samples is not None:  # fixed held-out digits, captioned with every model's answer
        st.caption(history.samples.title)
        images = [charts.to_uint8(charts.upscale(image, 2)) for image in history.samples.images]
        st.image(images, caption=list(history.samples.captions))


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the models and settings in the sidebar and press **Train**: every model takes its step "
        "on the same batch, and their curves grow side by side here. Meanwhile the pretrained models "
        "below are ready to use.",
        metrics=("loss",),
        view_history=comparison,
    )


def scores_table(trained: TrainedModel) -> None:
    """Each reader's held-out accuracy beside the course's figure."""
    accuracy = trained.metrics.get("heldout_accuracy", {})
    seconds = trained.metrics.get("model_seconds", {})
    rows = []
    for name in mnist_rows.ordered(accuracy):
        value = accuracy[name]
        course = mnist_rows.COURSE_ACCURACY.get(name)
        verdict = "-" if course is None else ("✅" if value >= course else "below")
        rows.append(
            f"| {model_label(name)} | {value:.2%} | {'-' if course is None else f'{course:.2%}'} | {verdict} "
            f"| {seconds.get(name, '-')} |"
        )
    st.markdown(
        "| model | held-out accuracy | course (full MNIST, GPU) | reached | own training seconds |\n"
        "| --- | --- | --- | --- | --- |\n" + "\n".join(rows)
    )


def drawn_frame() -> np.ndarray | None:
    drawing = ui.drawing_pad("mnist-rows-pad")
    if drawing is None:
        return None
    try:
        return mnist_rows.drawing_frame(drawing)
    except ImageInputError:
        return None  # an empty or cleared pad


def show_readings(frame: np.ndarray, readings: list[mnist_rows.RowReading]) -> None:
    with st.container(key="mnist-rows-answers"):
        columns = st.columns(len(readings))
        for column, reading in zip(columns, readings, strict=True):
            column.metric(
                model_label(reading.model),
                reading.label,
                f"{reading.confidence:.0%} sure",
                delta_color="off",
                delta_arrow="off",
            )
    tabs = st.tabs([model_label(reading.model) for reading in readings])
    for tab, reading in zip(tabs, readings, strict=True):
        with tab:
            picture, heatmap = st.columns([1, 3])
            picture.image(
                charts.to_uint8(charts.upscale(frame, 6)), caption="The 28 rows it read, top to bottom"
            )
            directions = " (forward units, then backward)" if reading.model.startswith("bi") else ""
            figure = charts.matrix_heatmap(
                reading.hidden.T,
                f"{model_label(reading.model)}: hidden state after each row{directions}",
                "row",
                "hidden unit",
                height=360,
            )
            heatmap.plotly_chart(figure, key=f"mnist-rows-hidden-{reading.model}")
            st.plotly_chart(
                charts.probability_bars(reading.probabilities, reading.classes),
                key=f"mnist-rows-bars-{reading.model}",
            )


def try_it(trained: TrainedModel) -> None:
    pad, result = st.columns([1, 2])
    with pad:
        frame = drawn_frame()
    with result:
        if frame is None:
            st.info("Draw a digit on the black pad first: every model's reading appears here.")
            return
        readings = mnist_rows.read_frame(trained, frame)
        votes = {reading.label for reading in readings}
        if len(votes) > 1:
            st.caption("The models disagree: the ones that read further back usually win on odd strokes.")
    show_readings(frame, readings)


def main() -> None:
    ui.lab_header(SPEC)
    params = ui.training_sidebar(LAB, TRAINING, mnist_rows.COURSE_RECIPE)
    training_section()
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    scores_table(trained)

    st.subheader("Try it")
    try_it(trained)


main()
