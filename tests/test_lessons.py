"""Lesson links (issue "Runs: compare, share, export"): a teacher's setup of a lab travels in a
link; opening it on either front gives exactly that setup, a locked setting cannot be changed
through the UI, the API or the CLI, and a damaged or foreign link gets a clear message."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass

import pytest
from helpers import ROOT, RUN_TIMEOUT, widget
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from core import lessons
from core.lessons import LessonError
from core.registry import get_lab, ready_labs

DIGITS = get_lab("digits")


def digits_lesson(**changes) -> lessons.Lesson:
    setup = {
        "settings": {"epochs": 2, "learning_rate": 0.01, "seed": 7},
        "locked": ["learning_rate"],
        "hidden": ["dropout"],
        "question": "Predict: will a rate of 0.01 beat the default?",
    } | changes
    return lessons.make(DIGITS, **setup)


def forged(payload: dict) -> str:
    """A token written by hand with a correct checksum: what a curious student could make."""
    packed = zlib.compress(json.dumps(payload).encode())
    return base64.urlsafe_b64encode(zlib.crc32(packed).to_bytes(4, "big") + packed).decode().rstrip("=")


# --- core -------------------------------------------------------------------------------------


def test_a_lesson_comes_back_from_its_link_exactly():
    lesson = digits_lesson()
    link = lesson.link("http://school.example:8501/")
    assert link.startswith("http://school.example:8501/digits?lesson=")
    assert lessons.read(link) == lesson
    assert lessons.read(lesson.token(), DIGITS) == lesson
    assert lesson.settings["epochs"] == 2 and lesson.settings["seed"] == 7
    assert lesson.settings["architecture"] == DIGITS.spec.param("architecture").default  # complete


@pytest.mark.parametrize("lab", ready_labs(), ids=lambda lab: lab.spec.id)
def test_every_labs_default_setup_fits_in_a_link(lab):
    token = lessons.make(lab, {}, locked=[p.name for p in lab.spec.params]).token()
    assert len(token) < 1500, "a link a teacher can paste into any chat or LMS"
    assert lessons.read(token, lab).settings == lab.check_params(lab.spec.validate({}))


def test_a_locked_or_hidden_setting_cannot_change_and_a_free_one_can():
    lesson = digits_lesson()
    asked = DIGITS.spec.validate(lesson.settings | {"epochs": 5})
    assert lesson.check(asked)["epochs"] == 5
    with pytest.raises(LessonError, match=r"fixes learning_rate at 0\.01"):
        lesson.check(DIGITS.spec.validate(lesson.settings | {"learning_rate": 0.02}))
    with pytest.raises(LessonError, match="fixes dropout"):
        lesson.check(DIGITS.spec.validate(lesson.settings | {"dropout": 0.5}))
    # An API client that leaves a fixed setting out sends the lab's default: the lesson's value holds.
    defaults = DIGITS.spec.validate({})
    assert lesson.check(defaults, defaults=defaults)["learning_rate"] == 0.01


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "empty"),
        ("http://school/digits", "no lesson in it"),
        ("x" * 5000, "too long"),
        ("!!!not base64!!!", "damaged"),
        ("AAAA", "damaged"),
    ],
)
def test_a_link_that_is_no_lesson_is_refused_plainly(token, message):
    with pytest.raises(LessonError, match=message):
        lessons.read(token)


def test_a_cut_or_edited_link_is_refused_as_damaged():
    token = digits_lesson().token()
    for damaged in (token[:-6], token[:20] + ("B" if token[20] != "B" else "C") + token[21:]):
        with pytest.raises(LessonError, match="damaged"):
            lessons.read(damaged)


def test_a_forged_lesson_is_checked_like_any_input():
    good = {"v": 1, "lab": "digits", "settings": {}, "locked": [], "hidden": [], "question": ""}
    cases = [
        (good | {"v": 99}, "another version"),
        (good | {"lab": "no-such-lab"}, "does not have"),
        (good | {"settings": {"epochs": 10_000}}, "no longer fits"),
        (good | {"settings": {"nonsense": 1}}, "unknown setting 'nonsense'"),
        (good | {"locked": ["nonsense"]}, "no setting nonsense"),
        (good | {"locked": "epochs"}, "damaged"),
        (good | {"question": "?" * 1000}, "keep it under"),
        ([1, 2], "damaged"),
    ]
    for payload, message in cases:
        with pytest.raises(LessonError, match=message):
            lessons.read(forged(payload))


def test_a_link_opened_on_another_labs_page_says_so():
    with pytest.raises(LessonError, match="for the lab 'digits', not 'gan'"):
        lessons.read(digits_lesson().token(), get_lab("gan"))


def test_a_token_that_inflates_to_megabytes_is_refused():
    packed = zlib.compress(b'{"v": 1, "pad": "' + b"a" * 2_000_000 + b'"}')
    bomb = base64.urlsafe_b64encode(zlib.crc32(packed).to_bytes(4, "big") + packed).decode()
    assert len(bomb) < lessons.MAX_TOKEN_CHARS
    with pytest.raises(LessonError, match="far more than a lab's setup"):
        lessons.read(bomb)


def test_a_runs_settings_share_as_a_lesson_with_nothing_locked():
    run_settings = DIGITS.spec.validate({"epochs": 3, "seed": 123})
    shared = lessons.Lesson.of_settings(DIGITS, run_settings)
    assert shared.fixed == () and lessons.read(shared.token()).settings == run_settings


# --- CLI --------------------------------------------------------------------------------------


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys):
    """`python -m core ARGS`, run in this process (a fresh interpreter per call spent the test
    importing torch): its exit code and what it printed."""
    from core.cli import main

    def run(*args: str) -> Ran:
        code = main(list(args))
        printed = capsys.readouterr()
        return Ran(code, printed.out, printed.err)

    return run


def test_cli_makes_a_link_reads_it_back_and_holds_its_locks(cli, data_dir):
    made = cli("lesson", "make", "digits", "--set", "epochs=1", "--lock", "epochs", "--question", "Why?")
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    shown = json.loads(cli("lesson", "show", link).stdout)
    assert shown["settings"]["epochs"] == 1 and shown["locked"] == ["epochs"] and shown["question"] == "Why?"
    refused = cli("train", "digits", "--lesson", link, "--answer", "so", "--set", "epochs=3")
    assert refused.returncode == 2 and "fixes epochs at 1" in refused.stderr
    unanswered = cli("train", "digits", "--lesson", link)
    assert unanswered.returncode == 2 and "asks a question before Train" in unanswered.stderr
    damaged = cli("lesson", "show", link[:-4])
    assert damaged.returncode == 2 and "damaged" in damaged.stderr and "Traceback" not in damaged.stderr


# --- Gradio API -------------------------------------------------------------------------------


def test_gradio_api_makes_a_link_and_its_train_holds_the_locks(client):
    link = client.predict(
        lesson_locked=["learning_rate"],
        lesson_hidden=[],
        lesson_question="",
        epochs=1,
        learning_rate=0.01,
        api_name="/digits_lesson_link",
    )
    token = lessons.token_from_link(link)
    assert lessons.read(token).settings["learning_rate"] == 0.01
    with pytest.raises(Exception, match=r"fixes learning_rate at 0\.01"):
        client.predict(lesson=token, learning_rate=0.03, api_name="/digits_train")
    asks = lessons.make(DIGITS, {}, question="Will it learn?").token()
    with pytest.raises(Exception, match="asks a question before Train"):
        client.predict(lesson=asks, api_name="/digits_train")
    with pytest.raises(Exception, match="damaged"):
        client.predict(lesson=token[:-5], api_name="/digits_train")


# --- Streamlit page ---------------------------------------------------------------------------


def open_lesson_page(token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    at._page_hash = calc_hash("digits")
    at.query_params[lessons.QUERY_KEY] = token
    at.run()
    assert not at.exception, at.exception
    return at


def train_button(at: AppTest):
    return next(button for button in at.button if button.label == "Train")


def test_streamlit_page_opens_the_lessons_setup():
    at = open_lesson_page(digits_lesson().token())
    assert "Fixed by the lesson: Learning rate" in at.info[0].value
    rate = widget(at, "digits-learning_rate")
    assert rate.value == 0.01 and rate.disabled
    assert widget(at, "digits-epochs").value == 2 and not widget(at, "digits-epochs").disabled
    with pytest.raises(KeyError):
        widget(at, "digits-dropout")  # hidden: not drawn
    assert train_button(at).disabled, "the question comes first"
    at.text_input(key="digits-answer").input("yes, it learns faster").run()
    assert not train_button(at).disabled


def test_streamlit_page_explains_a_damaged_link_and_opens_as_usual():
    at = open_lesson_page(digits_lesson().token()[:-6])
    assert "This lesson link cannot be used" in at.error[0].value and "damaged" in at.error[0].value
    assert not widget(at, "digits-learning_rate").disabled
    assert not train_button(at).disabled
