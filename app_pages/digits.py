"""Digits lab: train an MNIST classifier live, draw or upload digits for it, look inside it."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui_streamlit as ui
from core import charts
from core.data import DataUnavailableError
from core.imaging import MAX_UPLOAD_BYTES, UPLOAD_LIMITS, UPLOAD_TYPES, ImageInputError
from core.labs import digits
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("digits")
SPEC = LAB.spec
TRAINING = "digits-training"  # session-state key of this page's training


@st.cache_resource(max_entries=16, show_spinner="Scoring the held-out digits...")
def heldout_report(key: str, _trained: TrainedModel) -> digits.HeldoutReport:
    """Confusion matrix and mistakes, once per model (`key`), shared by the sessions using it."""
    return digits.heldout_report(_trained, digits.heldout_data(_trained))


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**: the curves grow here while it "
        "trains. Meanwhile the pretrained model below is ready to use.",
    )


def show_prediction(prediction: digits.Prediction, key: str) -> None:
    """The 28x28 frame the model sees beside its ten probabilities."""
    seen, bars = st.columns([1, 2])
    seen.image(charts.to_uint8(charts.upscale(prediction.frame, 6)), caption="What the model sees (28x28)")
    with bars, st.container(key=key):
        st.markdown(f"### Prediction: {prediction.label}")
        st.caption(f"{prediction.confidence:.0%} confident")
    figure = charts.probability_bars(prediction.probabilities, prediction.classes)
    figure.update_layout(title=None)  # the heading above already says it
    bars.plotly_chart(figure, key=f"{key}-bars")


def drawing_tab(trained: TrainedModel) -> None:
    pad, result = st.columns([1, 2])
    with pad:
        drawing = ui.drawing_pad("digits-pad")
    with result:
        try:
            prediction = digits.classify_drawing(trained, drawing) if drawing is not None else None
        except ImageInputError:
            prediction = None  # a cleared pad
        if prediction is None:
            st.session_state.pop("digits-frame", None)
            st.info("Draw a digit on the black pad first: the model's reading appears here.")
            return
        st.session_state["digits-frame"] = prediction.frame  # the feature maps can show it
        show_prediction(prediction, "digits-drawing-prediction")


def upload_tab(trained: TrainedModel) -> None:
    upload = st.file_uploader(
        f"A photo or scan of one handwritten digit, dark on light or light on dark ({UPLOAD_LIMITS})",
        type=list(UPLOAD_TYPES),
        key="digits-upload",
        max_upload_size=MAX_UPLOAD_BYTES // 2**20,
    )
    if upload is None:
        return
    try:
        prediction = digits.classify_upload(trained, upload.getvalue())
    except ImageInputError as error:
        st.error(f"{upload.name}: {error}")
        return
    show_prediction(prediction, "digits-upload-prediction")


def mistakes_tab(trained: TrainedModel) -> None:
    try:
        report = heldout_report(ui.model_key(trained), trained)
    except DataUnavailableError as error:
        st.warning(f"The held-out data for this model is not available here: {error}")
        return
    matrix, gallery = st.columns([2, 3])
    with matrix:
        st.caption(f"Held-out accuracy {report.accuracy:.2%}: rows are the true digit, columns the answer.")
        st.plotly_chart(charts.confusion_heatmap(report.confusion, report.classes), key="digits-confusion")
    with gallery:
        if not report.mistakes:
            st.success("No held-out digit is misclassified.")
            return
        st.markdown("**The most confident mistakes** (the model's answer, then the truth)")
        shown = report.mistakes[:24]
        st.image(
            [charts.to_uint8(charts.upscale(m["image"], 3)) for m in shown],
            caption=[f"said {m['predicted']}, is {m['true']}" for m in shown],
        )


def filters_tab(trained: TrainedModel) -> None:
    weights = digits.first_layer_weights(trained)
    if trained.config["architecture"] == "mlp":
        caption = (
            "Each square holds the 784 input weights of one first-layer unit, laid out as the image "
            "it responds to most (bright = positive)."
        )
    else:
        caption = "Each square is one 3x3 filter of the first convolution (bright = positive weight)."
    ui.show_grid(weights, columns=8, size=400, caption=caption)


def feature_maps_tab(trained: TrainedModel) -> None:
    choice, maps = st.columns([1, 3])
    with choice:
        frame = feature_maps_input(trained)
    if frame is None:
        return
    with maps:
        for name, activations in digits.feature_maps(trained, frame):
            # An MLP layer comes as one map of its units; a conv block as one map per channel.
            caption = name if len(activations) == 1 else f"{name}: {len(activations)} channels shown"
            ui.show_grid(activations, columns=8, size=480, caption=caption)


def feature_maps_input(trained: TrainedModel) -> np.ndarray | None:
    """The 28x28 frame to look at: the last drawing, or a held-out digit picked by number."""
    drawing = st.session_state.get("digits-frame")
    sources = (["My drawing"] if drawing is not None else []) + ["A held-out digit"]
    # No key: a first drawing changes the options, which resets the choice to the drawing.
    if st.radio("Input", sources) == "My drawing":
        frame = drawing
    else:
        try:
            data = digits.heldout_data(trained)
        except DataUnavailableError as error:
            st.warning(f"The held-out data for this model is not available here: {error}")
            return None
        index = st.number_input(
            "Held-out digit number", 0, len(data.test_images) - 1, 0, key="digits-maps-index"
        )
        frame = data.test_images[int(index)].numpy().astype(np.float32) / 255
    st.image(charts.to_uint8(charts.upscale(frame, 4)), caption="Input")
    return frame


def main() -> None:
    ui.lab_header(SPEC)
    values = ui.settings_but_architecture(SPEC)
    training_section()
    trained = ui.architecture_model_section(LAB, TRAINING, values)
    if trained is None:
        return

    st.subheader("Try it")
    draw, upload = st.tabs(["Draw", "Upload a photo"])
    with draw:
        drawing_tab(trained)
    with upload:
        upload_tab(trained)

    st.subheader("Inside the model")
    mistakes, filters, maps = st.tabs(["Mistakes", "First-layer weights", "Feature maps"])
    with mistakes:
        mistakes_tab(trained)
    with filters:
        filters_tab(trained)
    with maps:
        feature_maps_tab(trained)


main()
