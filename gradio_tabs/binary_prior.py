"""The autoregressive prior tab: generate 48-bit codes at a temperature, decode them with the
autoencoder the prior was trained on and see which training digit each reproduced; train your
own prior with live curves; and the API endpoint /binary_prior_generate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core.labs import binary_prior
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    gallery_items,
    lab_header,
    model_line,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_training,
)

LAB = get_lab("binary-prior")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (lstm)", BUNDLED), ("This session's model", SESSION_MODEL)]


def prior(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    return model_line(LAB, trained, f"**{trained.config['model']}** prior")


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def generate_api(
    n: Any = 16,
    temperature: Any = 1.0,
    seed: Any = 0,
    model: str | None = None,
    session: LabSession | None = None,
) -> dict:
    """API /binary_prior_generate: how many codes (1-512), the temperature (0 = greedy; above 10 is
    clamped), a seed and a model (bundled or session) -> {memorisation_rate, notes, samples: [{bits,
    match (training digit number or null when new), nearest, distance}]}."""
    trained = prior(model, session)
    with user_errors():
        return binary_prior.generate(trained, n, temperature, seed).to_dict()


def generate_view(
    n: float, temperature: float, seed: float, choice: str, session: LabSession | None
) -> tuple:
    """A headline and a gallery: each generated digit followed by the training digit it equals."""
    try:
        trained = prior(choice, session)
        with user_errors():
            result = binary_prior.generate(trained, int(n or 1), temperature, int(seed or 0))
    except gr.Error as error:
        return f"### {error.message}", []
    images, captions = [], []
    for index in range(len(result.bits)):
        distance, nearest = int(result.distance[index]), int(result.nearest[index])
        images.append(result.images[index])
        if distance == 0:
            captions.append(f"sample {index}: = training digit {nearest}")
            images.append(result.originals[index])
            captions.append(f"training digit {nearest}")
        else:
            captions.append(f"sample {index}: new ({distance} bits from digit {nearest})")
    notes = "".join(f"\n\n*{note}*" for note in result.notes)
    headline = (
        f"### Memorisation: **{result.rate:.0%}** ({int((result.distance == 0).sum())} of "
        f"{len(result.bits)} codes equal a training digit's){notes}"
    )
    return headline, gallery_items(images, captions, scale=3)


def build_tab() -> None:
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Prior in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")

    with gr.Tabs():
        with gr.Tab("Generate"):
            with gr.Row():
                n = gr.Slider(1, 64, value=16, step=1, label="Samples")
                temperature = gr.Number(
                    1.0,
                    minimum=0,
                    label=f"Temperature (0: greedy; clamped at {binary_prior.TEMPERATURE_MAX:g})",
                )
                seed = gr.Number(0, precision=0, minimum=0, label="Seed")
                go = gr.Button("Generate", variant="primary")
            headline = gr.Markdown("### Press Generate", elem_id="binary-prior-headline")
            gallery = gr.Gallery(
                label="Generated | the training digit it reproduced", columns=8, height="auto"
            )
        with gr.Tab("Train"):
            training = build_training_panel(
                spec,
                metrics=("loss", "bit_accuracy", "memorisation"),
                samples_label="Generated | the training digit it reproduced",
            )

    with gr.Group(visible=False):
        api_n = gr.Number(value=16, label="n")
        api_temperature = gr.Number(value=1.0, label="temperature")
        api_seed = gr.Number(value=0, label="seed")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "binary-prior-interact"}
    api_button.click(
        generate_api,
        [api_n, api_temperature, api_seed, api_model, session],
        api_result,
        api_name="binary_prior_generate",
        **interact,
    )
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="binary_prior_")

    private = {"api_visibility": "private", **interact}
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    go.click(generate_view, [n, temperature, seed, model_choice, session], [headline, gallery], **private)
