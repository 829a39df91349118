"""Lesson links on a Gradio lab page: a teacher makes one from the Train tab's settings, and
opening `/<lab>?lesson=...` gives exactly that setup (locked controls fixed, hidden ones out of
sight, the question to answer before Train). The train endpoint takes the same `lesson` and
`answer`, so the API holds the locks too. The rules are core.lessons'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from core import lesson_views, lessons
from core.labs.base import Lab
from core.lessons import LessonError
from core.specs import first_seed
from gradio_tabs.common import TrainingPanel, user_errors


@dataclass
class LessonParts:
    banner: gr.Markdown  # what the teacher set, or why the link cannot be used
    token: gr.Textbox  # hidden: the lesson the page was opened with (the train API's `lesson`)
    answer: gr.Textbox  # the answer to the lesson's question (the train API's `answer`)

    @property
    def train_inputs(self) -> dict[str, gr.Component]:
        return {"lesson": self.token, "lesson_answer": self.answer}


def build_lesson_parts() -> LessonParts:
    """The banner (top of the page) and the two train inputs, hidden until a lesson opens."""
    banner = gr.Markdown(visible=False, elem_id="lesson-banner")
    token = gr.Textbox("", visible=False, label="lesson")
    answer = gr.Textbox("", visible=False, label="Before you train, answer the lesson's question")
    return LessonParts(banner, token, answer)


def app_base(request: gr.Request | None, lab: Lab) -> str:
    """The app's address from the page that asked (its Referer), for a link to hand out; empty
    (a relative link) when unknown, as for an API client."""
    page = "" if request is None else (request.headers.get("referer") or "")
    return lesson_views.app_address(page, [lab.spec.id])


def build_share(lab: Lab, training: TrainingPanel, api_name: str) -> None:
    """ "Share this setup as a lesson link", under the Train tab's settings; also the API's
    /<lab>_lesson_link (the settings by name, plus locked, hidden and question)."""
    names = [param.name for param in lab.spec.params]
    with gr.Accordion("Share this setup as a lesson link", open=False):
        locked = gr.CheckboxGroup(names, label="Lock (shown, cannot be changed)")
        hidden = gr.CheckboxGroup(names, label="Hide (set, not shown)")
        question = gr.Textbox(
            label="A question to answer before Train (optional)",
            placeholder="Predict: will it learn with this learning rate?",
        )
        make = gr.Button("Make the link")
        link = gr.Textbox(label="The lesson link", buttons=["copy"], info=lesson_views.SHARE_NOTE)

    def make_link(request: gr.Request, **values: Any) -> str:
        locked, hidden = values.pop("lesson_locked") or [], values.pop("lesson_hidden") or []
        question = values.pop("lesson_question") or ""
        with user_errors():
            lesson = lessons.make(lab, values, locked, hidden, question)
        return lesson.link(app_base(request, lab))

    # The lesson's own inputs are prefixed: a lab's settings may be called "hidden" (a layer size).
    own = {"lesson_locked": locked, "lesson_hidden": hidden, "lesson_question": question}
    make.click(
        make_link,
        None,
        link,
        inputs_kwargs=training.controls | own,
        api_name=api_name,
        concurrency_limit=4,
    )


def open_lesson(lab: Lab, training: TrainingPanel, parts: LessonParts, request: gr.Request):
    """On page load: the lesson in the link, if any, put into the Train tab; without one, a seed
    of this visit's own (a lesson sets its own seed)."""
    token = (request.query_params.get(lessons.QUERY_KEY) if request is not None else None) or ""
    own_seed = {training.controls["seed"]: first_seed()} if "seed" in training.controls else {}
    if not token:
        return {parts.banner: gr.skip(), **own_seed}
    try:
        lesson = lessons.read(token, lab)
    except LessonError as error:
        return {
            parts.banner: gr.update(value=lesson_views.unusable(error, bold=True), visible=True),
            **own_seed,
        }
    updates: dict[gr.Component, Any] = {
        component: gr.update(
            value=lesson_views.control_value(lesson.settings[name]),
            interactive=name not in lesson.locked,
            visible=name not in lesson.hidden,
        )
        for name, component in training.controls.items()
    }
    updates[parts.banner] = gr.update(value=f"🧑‍🏫 {lesson_views.banner(lesson, lab)}", visible=True)
    updates[parts.token] = token
    if lesson.question:
        updates[parts.answer] = gr.update(visible=True, label=f"Before you train: {lesson.question}")
    return updates


def lesson_settings(lab: Lab, lesson: str, answer: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings to train with under the lesson `lesson` (a token; empty: none), by
    core.lesson_views' rules. Raises gr.Error when they break the lesson."""
    with user_errors():
        return lesson_views.settings_for_token(lab, lesson, answer, settings)
