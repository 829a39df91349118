"""Deep Learning Labs as a Gradio Blocks app: the catalogue, one tab per ready lab, and an HTTP API.

The app is thin on purpose: every control is drawn from a lab's `LabSpec`, every training goes
through the process-wide runner in `core.runner`, and every picture or chart comes from `core`.
Each lab's tab is one module in gradio_tabs/ (layout and event wiring); the pieces they share
are in gradio_tabs/common.py. Adding a lab means writing its module and listing it in LAB_TABS.

Run it with `python gradio_app.py` (port from GRADIO_SERVER_PORT, default 7860). The named API
endpoints are listed on the app's "Use via API" page.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import gradio as gr

from core.catalogue import catalogue
from core.imaging import MAX_UPLOAD_BYTES
from gradio_tabs import (
    attention,
    binary_addition,
    binary_ae,
    binary_prior,
    charlstm,
    denoise,
    digits,
    gan,
    mnist_rows,
    palindromes,
    seq2seq,
    transformer,
    vae,
)
from gradio_tabs.common import CSS, bundled_model


def catalogue_markdown() -> str:
    """Every lab by topic: ready ones point at their tab, planned ones say so."""
    lines = [
        "# Deep Learning Labs",
        "Learn deep learning by doing: pick a lab, train it live, then play with it.",
    ]
    for topic, specs in catalogue().items():
        lines.append(f"\n### {topic}")
        for spec in specs:
            if spec.status == "ready":
                lines.append(f"- **{spec.heading}**: {spec.summary} *Ready: open its tab above.*")
            else:
                lines.append(f"- {spec.title}: {spec.summary} *(planned)*")
    return "\n".join(lines)


LAB_TABS: dict[str, Callable[[], None]] = {
    "digits": digits.build_tab,
    "gan": gan.build_tab,
    "vae": vae.build_tab,
    "denoise": denoise.build_tab,
    "mnist-rows": mnist_rows.build_tab,
    "charlstm": charlstm.build_tab,
    "binary-ae": binary_ae.build_tab,
    "binary-prior": binary_prior.build_tab,
    "attention": attention.build_tab,
    "seq2seq": seq2seq.build_tab,
    "transformer": transformer.build_tab,
    "palindromes": palindromes.build_tab,
    "binary-addition": binary_addition.build_tab,
}


def build_app() -> gr.Blocks:
    """The whole app: the catalogue first, then a tab per ready lab."""
    # Every drawing, upload and gallery image lands in Gradio's cache: drop files older than a day.
    with gr.Blocks(title="Deep Learning Labs", delete_cache=(3600, 86400)) as app, gr.Tabs():
        with gr.Tab("Labs"):
            gr.Markdown(catalogue_markdown())
        # Tabs in the catalogue's order, so labs of one topic sit together.
        for spec in (spec for specs in catalogue().values() for spec in specs if spec.id in LAB_TABS):
            with gr.Tab(spec.heading):
                LAB_TABS[spec.id]()
    return app


demo = build_app()


TAB_MODULES = (attention, binary_addition, binary_ae, binary_prior, charlstm, denoise, digits, gan)
TAB_MODULES += (mnist_rows, palindromes, seq2seq, transformer, vae)


def warm_up() -> None:
    """Load each lab's default bundled model before the server answers: otherwise the first
    students of a class all wait behind the loading (3 to 4 s in the load benchmark)."""
    for module in TAB_MODULES:
        default_settings = next(iter(module.BUNDLED_MODELS.values()))
        try:
            bundled_model(module.LAB, default_settings)
        except Exception as error:  # a missing checkpoint is explained when a student picks it
            print(f"warm-up: no bundled model for {module.LAB.spec.id}: {error}", flush=True)


def main() -> None:
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    warm_up()
    demo.launch(server_port=port, max_file_size=MAX_UPLOAD_BYTES, css=CSS)


if __name__ == "__main__":
    main()
