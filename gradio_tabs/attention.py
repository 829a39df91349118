"""The Attention explorer tab: two sentences in, scores, weights and outputs out, beside a GRU's
single final state; a tiny copy/reverse attention model to train and try; and the named API
endpoints /attention (the explorer's numbers as JSON) and /attention_toy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.labs import attention
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    lab_header,
    model_info_markdown,
    session_state,
    show_session_model,
    training_updates,
    wire_model_info,
    wire_training,
)

LAB = get_lab("attention")
TASKS = attention.TASKS
BUNDLED_MODELS = {task: {"task": task} for task in TASKS}
MODEL_CHOICES = [(f"Bundled {task} model", task) for task in TASKS] + [
    ("This session's model", SESSION_MODEL)
]
DEFAULT_QUERY, DEFAULT_KEYS = "the cats sat on the mats", "a cat sat on a mat"
DEFAULT_DIGITS = "31415926"


@contextmanager
def attention_errors() -> Iterator[None]:
    """The lab's input errors as gr.Error: a toast in the UI, a clear error in the API."""
    try:
        yield
    except attention.AttentionInputError as error:
        raise gr.Error(str(error), print_exception=False) from None


def explore_api(
    query: str,
    keys: str,
    heads: Any = 1,
    temperature: Any = 1.0,
    scale: bool = True,
    causal: bool = False,
    pad_to: Any = 0,
    mask_padding: bool = True,
    positions: bool = False,
    dim: Any = attention.DEFAULT_DIM,
) -> dict:
    """API /attention: a query and a key/value sentence and the explorer's settings -> tokens,
    scores (null where masked), weights per head and averaged, outputs, the GRU's final state and
    each key word's share in it, and notes on any clamp."""
    with attention_errors():
        return attention.explore(
            query,
            keys,
            heads=heads,
            temperature=temperature,
            scale=bool(scale),
            causal=bool(causal),
            pad_to=pad_to,
            mask_padding=bool(mask_padding),
            positions=bool(positions),
            dim=dim,
        ).to_dict()


def explorer_view(
    query: str,
    keys: str,
    heads: Any,
    temperature: float,
    scale: bool,
    causal: bool,
    pad_to: Any,
    mask_padding: bool,
    positions: bool,
    dim: Any,
) -> tuple:
    """The explorer's charts; a problem goes in the headline rather than a toast, as the view
    redraws on every keystroke."""
    try:
        result = attention.explore(
            query,
            keys,
            heads=heads,
            temperature=temperature,
            scale=scale,
            causal=causal,
            pad_to=pad_to,
            mask_padding=mask_padding,
            positions=positions,
            dim=dim,
        )
    except attention.AttentionInputError as error:
        return (f"### {error}", None, None, None, None, None)
    strongest = ", ".join(f"**{q}** → {k} ({w:.0%})" for q, k, w in result.strongest())
    notes = "".join(f"\n\n*{note}*" for note in result.notes)
    scores = result.scores.mean(axis=0)
    scores = np.where(np.isfinite(scores), scores, np.nan)
    heads_label = " (averaged over the heads)" if result.settings["heads"] > 1 else ""
    real = result.key_tokens[: len(result.gru_influence)]
    return (
        f"Each query word's strongest key: {strongest}{notes}",
        charts.word_heatmap(
            result.mean_weights, result.query_tokens, result.key_tokens, f"Softmax weights{heads_label}"
        ),
        charts.word_heatmap(
            scores,
            result.query_tokens,
            result.key_tokens,
            f"Scores before the softmax{heads_label}",
            value_format=".1f",
            zmax=None,
        ),
        charts.matrix_heatmap(
            result.outputs.T, "Attention outputs, one per query word", "query word", "coordinate"
        ),
        charts.matrix_heatmap(result.gru_state[:, None], "GRU's final state: one for all", "", "coordinate"),
        charts.word_heatmap(
            result.gru_influence[None],
            ["GRU"],
            real,
            "Each key word's share in the GRU's final state",
            zmax=None,
        ),
    )


def toy_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /attention_model_info and the line under the toy model picker."""
    return model_info_markdown(LAB, choice, session, BUNDLED_MODELS)


def toy_api(digits: str, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /attention_toy: a digit string (2 to 8 digits for the bundled models) and a model
    (reverse, copy or session) -> {input, output, expected, correct, weights}."""
    trained = toy_model(model, session)
    with attention_errors():
        return attention.run_toy(trained, digits).to_dict()


def toy_view(digits: str, choice: str, session: LabSession | None) -> tuple:
    try:
        result = attention.run_toy(toy_model(choice, session), digits)
    except (attention.AttentionInputError, gr.Error) as error:
        return f"### {getattr(error, 'message', error)}", None
    verdict = "right" if result.correct else f"wrong: the answer is {result.expected}"
    figure = charts.word_heatmap(
        result.weights,
        [f"out {i + 1}: {ch}" for i, ch in enumerate(result.output)],
        list(result.digits),
        "Which input digit each output position reads",
        x_title="input",
        y_title="output",
    )
    return f"### {result.task} {result.digits} → **{result.output}** ({verdict})", figure


def build_tab() -> None:
    """The attention lab: Explore (two sentences), Toy model (train and try), and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    with gr.Tabs():
        with gr.Tab("Explore"):
            with gr.Row():
                query = gr.Textbox(DEFAULT_QUERY, label="Query sentence (its words ask)")
                keys = gr.Textbox(DEFAULT_KEYS, label="Key/value sentence (its words answer)")
            with gr.Row():
                dim = gr.Dropdown(
                    list(attention.DIMENSIONS), value=attention.DEFAULT_DIM, label="Vector size d"
                )
                heads = gr.Dropdown(
                    [1, 2, 4, 8, 16], value=1, label="Heads (each reads d / heads coordinates)"
                )
                temperature = gr.Slider(0.01, 10, value=1.0, step=0.01, label="Temperature T")
                pad_to = gr.Number(
                    0, precision=0, minimum=0, maximum=attention.MAX_PAD_TO, label="Pad keys to"
                )
            with gr.Row():
                scale = gr.Checkbox(True, label="Divide the scores by √d_k")
                causal = gr.Checkbox(False, label="Causal mask (word i sees keys 0..i)")
                mask_padding = gr.Checkbox(True, label="Mask the padding")
                positions = gr.Checkbox(False, label="Add sinusoidal positions")
            # Drawn once here with the defaults, so the tab opens on a finished example.
            first = explorer_view(DEFAULT_QUERY, DEFAULT_KEYS, 1, 1.0, True, False, 0, True, False, 64)
            headline = gr.Markdown(first[0], elem_id="attention-headline")
            with gr.Row():
                weights_plot = gr.Plot(first[1], label="weights")
                scores_plot = gr.Plot(first[2], label="scores")
            with gr.Row():
                outputs_plot = gr.Plot(first[3], label="outputs")
                gru_plot = gr.Plot(first[4], label="GRU final state")
            influence_plot = gr.Plot(first[5], label="GRU influence")
        with gr.Tab("Toy model"):
            model_choice = gr.Radio(MODEL_CHOICES, value=TASKS[0], label="Model in use")
            model_text = gr.Markdown(model_info(TASKS[0]))
            digits = gr.Textbox(DEFAULT_DIGITS, label="Digits to feed the toy model")
            toy_first = toy_view(DEFAULT_DIGITS, TASKS[0], None)
            toy_headline = gr.Markdown(toy_first[0], elem_id="attention-toy-headline")
            toy_plot = gr.Plot(toy_first[1], label="toy attention")
            gr.Markdown("### Train your own")
            training = build_training_panel(
                spec,
                metrics=("loss", "accuracy", "alignment"),
                samples_label="Attention on a fixed string: from uniform to the alignment",
            )

    with gr.Group(visible=False):  # the inputs and outputs of the API-only endpoints
        api_query, api_keys = gr.Textbox(label="query"), gr.Textbox(label="keys")
        api_heads = gr.Number(1, label="heads")
        api_temperature = gr.Number(1.0, label="temperature")
        api_scale = gr.Checkbox(True, label="scale")
        api_causal = gr.Checkbox(False, label="causal")
        api_pad_to = gr.Number(0, label="pad_to")
        api_mask_padding = gr.Checkbox(True, label="mask_padding")
        api_positions = gr.Checkbox(False, label="positions")
        api_dim = gr.Number(attention.DEFAULT_DIM, label="dim")
        api_digits = gr.Textbox(label="digits")
        api_model = gr.Textbox(TASKS[0], label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "attention-interact"}
    api_button.click(
        explore_api,
        [
            api_query,
            api_keys,
            api_heads,
            api_temperature,
            api_scale,
            api_causal,
            api_pad_to,
            api_mask_padding,
            api_positions,
            api_dim,
        ],
        api_result,
        api_name="attention",
        **interact,
    )
    api_button.click(
        toy_api, [api_digits, api_model, session], api_result, api_name="attention_toy", **interact
    )
    wire_model_info(model_info, [api_model, session], api_button, "attention_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="attention_")

    private = {"api_visibility": "private", **interact}
    explorer_inputs = [query, keys, heads, temperature, scale, causal, pad_to, mask_padding, positions, dim]
    explorer_outputs = [headline, weights_plot, scores_plot, outputs_plot, gru_plot, influence_plot]
    for control in explorer_inputs:
        control.change(
            explorer_view, explorer_inputs, explorer_outputs, trigger_mode="always_last", **private
        )
    toy_inputs = [digits, model_choice, session]
    for control in (digits, model_choice):
        control.change(toy_view, toy_inputs, [toy_headline, toy_plot], trigger_mode="always_last", **private)
    model_choice.change(model_info, [model_choice, session], model_text, **private)
