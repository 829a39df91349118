"""core.lesson_views: what both fronts say about a lesson link, and the settings a training
under one takes."""

from __future__ import annotations

import pytest

from core import lesson_views, lessons
from core.lessons import LessonError
from core.registry import get_lab

DIGITS = get_lab("digits")


def digits_lesson(question: str = "") -> lessons.Lesson:
    settings = {"epochs": 2, "learning_rate": 0.01, "seed": 7}
    return lessons.make(DIGITS, settings, locked=["learning_rate"], hidden=["dropout"], question=question)


@pytest.mark.parametrize(
    ("page", "address"),
    [
        ("http://school.example:8501/digits?lesson=abc", "http://school.example:8501"),
        ("http://school.example:8501/labs/digits/", "http://school.example:8501/labs"),
        ("http://school.example:8501/", "http://school.example:8501"),
        ("http://school.example:8501/home", "http://school.example:8501/home"),  # not a lab's page
        ("", ""),  # unknown: a relative link
    ],
)
def test_the_apps_address_drops_a_labs_page_and_its_query(page, address):
    assert lesson_views.app_address(page, ["digits", "gan"]) == address


def test_the_banner_names_the_settings_as_the_controls_show_them():
    banner = lesson_views.banner(digits_lesson(), DIGITS)
    label = DIGITS.spec.param("learning_rate").label
    assert banner.startswith("**Lesson.** Your teacher set up this lab.")
    assert f"Fixed by the lesson: {label}" in banner


def test_a_link_that_cannot_be_used_says_why_and_that_the_lab_opens_as_usual():
    error = LessonError("this lesson link is damaged")
    assert lesson_views.unusable(error) == (
        "This lesson link cannot be used: this lesson link is damaged. The lab opens with its usual settings."
    )
    assert lesson_views.unusable(error, bold=True).startswith("**This lesson link cannot be used:** ")


def test_a_multiple_choice_goes_into_a_control_as_a_list():
    assert lesson_views.control_value(("a", "b")) == ["a", "b"]
    assert lesson_views.control_value(0.01) == 0.01


def test_training_under_a_lesson_holds_its_locks_and_waits_for_its_answer():
    assert lesson_views.settings_for_token(DIGITS, "", "", {"epochs": 3}) == {"epochs": 3}
    token = digits_lesson().token()
    # Settings left out (an API client's) take the lesson's values; a free one stays the student's.
    settings = lesson_views.settings_for_token(DIGITS, token, "", {"epochs": 4})
    assert (settings["epochs"], settings["learning_rate"]) == (4, 0.01)
    with pytest.raises(LessonError, match="fixes learning_rate"):
        lesson_views.settings_for_token(DIGITS, token, "", {"learning_rate": 0.05})
    asking = digits_lesson(question="Will it learn?").token()
    with pytest.raises(LessonError, match=r"asks a question before Train: Will it learn\?"):
        lesson_views.settings_for_token(DIGITS, asking, "  ", {})
    assert lesson_views.settings_for_token(DIGITS, asking, "yes", {})["learning_rate"] == 0.01
