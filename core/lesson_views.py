"""What both fronts say about lesson links (core.lessons holds the rules): the banner that tells
what the teacher set, why a link cannot be used, the app's address for a link to hand out, and
the settings a training under a lesson takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core import lessons
from core.labs.base import Lab
from core.lessons import Lesson, LessonError

SHARE_NOTE = (
    "Opening the link on this app gives exactly this setup. It holds the settings only: no model, no secret."
)


def banner(lesson: Lesson, lab: Lab) -> str:
    """What the teacher set, the settings named as the controls show them (markdown)."""
    labels = {param.name: param.label for param in lab.spec.params}
    return f"**Lesson.** {lesson.describe(labels)}"


def unusable(error: LessonError, bold: bool = False) -> str:
    """Why a link cannot be used; the lab opens as usual all the same."""
    opening = "**This lesson link cannot be used:**" if bold else "This lesson link cannot be used:"
    return f"{opening} {error}. The lab opens with its usual settings."


def control_value(value: Any) -> Any:
    """A lesson's setting as a control holds it: a multiple choice as a list, not a tuple."""
    return list(value) if isinstance(value, tuple) else value


def app_address(page: str, lab_ids: Iterable[str]) -> str:
    """The app's address from a page's (a lab's page: its own path is dropped), for a lesson
    link to hand out; empty when the page is unknown (a relative link)."""
    url = page.split("?")[0].rstrip("/")
    root, _, last = url.rpartition("/")
    return root if last in set(lab_ids) else url


def settings_for_token(lab: Lab, token: str, answer: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings to train with under the lesson `token` (empty: none): its fixed settings
    hold, and its question must be answered first; a LessonError says what is wrong."""
    if not token:
        return dict(settings)
    opened = lessons.read(token, lab)
    if opened.question and not (answer or "").strip():
        raise LessonError(f"this lesson asks a question before Train: {opened.question}")
    defaults = lab.spec.validate({})  # what an API client that leaves a setting out sends
    return opened.check(lab.spec.validate(dict(settings)), defaults=defaults)
