"""Deep Learning Labs as a Gradio Blocks app: the catalogue, a page per ready lab, and an HTTP API.

The app is thin on purpose: each lab's page is generated from its declaration
(gradio_tabs/lab_tab.py), with a named API endpoint per interaction; every training goes through
the process-wide runner in `core.runner`. Labs are found, not listed.

Run it with `python gradio_app.py` (port from GRADIO_SERVER_PORT, default 7860). The named API
endpoints are listed on the app's "Use via API" page.
"""

from __future__ import annotations

import os
from html import escape

import gradio as gr

from core import models
from core.catalogue import catalogue, ready_specs
from core.export import warm_exporter_in_background
from core.imaging import MAX_UPLOAD_BYTES
from core.registry import get_lab
from gradio_tabs.common import CSS
from gradio_tabs.lab_tab import build_lab_tab


def catalogue_html() -> str:
    """Every lab by topic, each ready one a link to its page (/<lab id>, as in Streamlit). HTML,
    not markdown: Gradio opens markdown links in a new tab, and a menu should not."""
    parts = [
        "<h1>🧠 Deep Learning Labs</h1>",
        "<p>Learn deep learning by doing: pick a lab, train a small model live while its curves "
        "grow, then play with it. Every lab also works at once with a bundled pretrained model.</p>",
    ]
    for topic, specs in catalogue().items():
        parts.append(f"<h3>{escape(topic)}</h3><ul>")
        for spec in specs:
            summary = escape(spec.summary)
            if spec.status == "ready":  # relative links: they work behind a proxy's path too
                parts.append(
                    f'<li><a href="{spec.id}"><strong>{escape(spec.heading)}</strong></a>: {summary}</li>'
                )
            else:
                parts.append(f"<li>{escape(spec.title)}: {summary} <em>(planned)</em></li>")
        parts.append("</ul>")
    return "\n".join(parts)


def build_app() -> gr.Blocks:
    """The whole app: the catalogue at /, then a page per ready lab at /<lab id>. Pages, not
    tabs: thirty tabs do not fit a screen (a phone showed two), and each lab gets a link."""
    # Every drawing, upload and gallery image lands in Gradio's cache: drop files older than a day.
    with gr.Blocks(title="Deep Learning Labs", delete_cache=(3600, 86400)) as app:
        gr.Navbar(visible=False)  # the catalogue is the menu; every lab page links back to it
        gr.HTML(catalogue_html(), elem_id="catalogue")
        for spec in ready_specs():  # in the catalogue's order
            start_page(app, spec.title, spec.id)
            gr.HTML('<a href="./">← All labs</a>')
            build_lab_tab(get_lab(spec.id), app)
    return app


def start_page(app: gr.Blocks, title: str, path: str) -> None:
    """What `with app.route(title, path, show_in_navbar=False):` records, without leaving the
    app's context between pages. Each exit from `app.route` rebuilds the config of every page so
    far and a server app: quadratic in the pages (31 exits, 136,000 block configs, 25 s of a
    48 s build with 30 labs). Built in one context, the app is configured once, at its end."""
    app.pages.append((path, title, False))
    app.current_page = path  # what the blocks and events made from here on belong to


demo = build_app()


def warm_up() -> None:
    """Load each lab's default bundled model, and run each of its interactions once on its
    example, before the server answers: otherwise the first students of a class all wait behind
    the loading (3 to 4 s in the load benchmark for the models, as much again for the held-out
    digits a "held-out" interaction reads). About 7 s at start-up."""
    for spec in ready_specs():
        lab = get_lab(spec.id)
        try:
            trained = models.bundled(lab, models.default_choice(lab))
        except Exception as error:  # a missing checkpoint is explained when a student picks it
            print(f"warm-up: no bundled model for {spec.id}: {error}", flush=True)
            continue
        for interaction in lab.interactions:
            values = {param.name: param.default for param in interaction.inputs}
            try:
                interaction(trained, values | interaction.example_inputs())
            except Exception as error:  # warming is best effort: a student's call reports it
                print(f"warm-up: {spec.id} {interaction.name}: {error}", flush=True)


def main() -> None:
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    warm_exporter_in_background()  # the first "Download this model" should not wait for it
    warm_up()
    demo.launch(server_port=port, max_file_size=MAX_UPLOAD_BYTES, css=CSS)


if __name__ == "__main__":
    main()
