"""Lesson links: a teacher's setup of a lab, carried in a link.

A teacher sets a lab's settings, says which of them the students may not change (locked: shown
but fixed) or should not even see (hidden: fixed and out of the way), and may ask a question to
answer before Train ("predict: will the RNN learn at length 30?"). The lesson travels as a
token in the lab's link, `/<lab>?lesson=<token>`, on either front.

The token holds the setup only: no secret, no model, no student data. Anyone can read it (it is
compressed JSON in URL-safe base64), so it is never trusted: opening one checks it like any other
input, and a link that was cut, changed by hand or made for another lab gets a message that says
so. The checksum inside only tells a damaged link from a good one; it protects nothing, and
nothing needs protecting: a locked setting is enforced by the server for everyone who trains
with the lesson, through the fronts and the API alike (`Lesson.check`).

Any run can be shared the same way: its settings, seed included, as a lesson with nothing
locked (`Lesson.of_settings`).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.specs import SpecError

VERSION = 1
MAX_TOKEN_CHARS = 4000  # far above any real lab's setup (the largest is under 700), far below a URL's limit
MAX_JSON_BYTES = 16_000  # what a token may inflate to: a crafted one cannot fill the memory
MAX_QUESTION_CHARS = 300
QUERY_KEY = "lesson"


class LessonError(SpecError):
    """A lesson link that cannot be used, or a training that breaks its locks, said plainly."""


@dataclass(frozen=True)
class Lesson:
    lab: str
    settings: dict[str, Any]  # every setting of the lab, checked
    locked: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    question: str = ""

    @property
    def fixed(self) -> tuple[str, ...]:
        """The settings a student cannot change: the locked ones and the hidden ones."""
        return tuple(dict.fromkeys(self.locked + self.hidden))

    def token(self) -> str:
        payload = {
            "v": VERSION,
            "lab": self.lab,
            "settings": self.settings,
            "locked": list(self.locked),
            "hidden": list(self.hidden),
            "question": self.question,
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        packed = zlib.compress(text.encode("utf-8"), 9)
        checksum = zlib.crc32(packed).to_bytes(4, "big")
        return base64.urlsafe_b64encode(checksum + packed).decode("ascii").rstrip("=")

    def link(self, base: str = "") -> str:
        """The lab's page with this lesson: `base` is the app's address (empty: a relative link)."""
        root = base.rstrip("/")
        return f"{root}/{self.lab}?{QUERY_KEY}={self.token()}"

    def check(self, settings: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The checked settings a student asks to train with, if the lesson allows them: every
        fixed setting takes the lesson's value, and one asked at another value is refused, by
        name. `defaults`: values that mean "not set" (an API client that leaves a setting out
        gets the lab's default), which the lesson's value replaces without a refusal."""
        changed = [
            name
            for name in self.fixed
            if name in settings
            and not _same(settings[name], self.settings[name])
            and (defaults is None or not _same(settings[name], defaults.get(name)))
        ]
        if changed:
            described = ", ".join(f"{name} at {self.settings[name]!r}" for name in changed)
            raise LessonError(
                f"this lesson fixes {described}: train with the lesson's value, or open the lab "
                "without the lesson link to change it"
            )
        return {**settings, **{name: self.settings[name] for name in self.fixed}}

    def describe(self, labels: Mapping[str, str] | None = None) -> str:
        """One paragraph for the top of the page: what the teacher set (settings by their
        `labels`, as the controls show them)."""

        def named(names: tuple[str, ...]) -> str:
            return _names((labels or {}).get(name, name) for name in names)

        parts = ["Your teacher set up this lab."]
        if self.locked:
            parts.append(f"Fixed by the lesson: {named(self.locked)}.")
        if self.hidden:
            parts.append(f"Set and hidden by the lesson: {named(self.hidden)}.")
        if not self.fixed:
            parts.append("Every setting is yours to change.")
        return " ".join(parts)

    @classmethod
    def of_settings(cls, lab: Any, settings: Mapping[str, Any]) -> Lesson:
        """A run's settings as a link: the same setup, nothing locked."""
        return make(lab, settings)


def make(
    lab: Any,
    settings: Mapping[str, Any],
    locked: Iterable[str] = (),
    hidden: Iterable[str] = (),
    question: str = "",
) -> Lesson:
    """A lesson for `lab` (a Lab), every part checked as the fronts check a student's input."""
    names = {param.name for param in lab.spec.params}
    locked, hidden = _unique(locked), _unique(hidden)
    unknown = sorted({*locked, *hidden} - names)
    if unknown:
        raise LessonError(f"{lab.spec.title} has no setting {_names(unknown)} to lock or hide")
    question = " ".join(str(question or "").split())
    if len(question) > MAX_QUESTION_CHARS:
        raise LessonError(
            f"the question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    try:
        checked = lab.check_params(lab.spec.validate(dict(settings)))
    except SpecError as error:
        raise LessonError(f"the lesson's settings are not valid: {error}") from None
    return Lesson(lab.spec.id, checked, locked, hidden, question)


def read(token: str, lab: Any | None = None) -> Lesson:
    """The lesson in `token` (or in a whole link that holds one), checked against its lab.

    With `lab`, a lesson made for another lab is refused: a link opened on the wrong page."""
    from core.registry import UnknownLabError, get_lab

    token = _token_of(token)
    payload = _payload(token)
    lab_id = payload.get("lab")
    if lab is not None and lab_id != lab.spec.id:
        raise LessonError(
            f"this lesson link is for the lab {lab_id!r}, not {lab.spec.id!r}: open it as it was given"
        )
    try:
        owner = lab if lab is not None else get_lab(str(lab_id))
    except UnknownLabError:
        raise LessonError(f"this lesson link is for a lab this app does not have ({lab_id!r})") from None
    settings, locked, hidden = payload.get("settings"), payload.get("locked"), payload.get("hidden")
    question = payload.get("question", "")
    if not (
        isinstance(settings, dict)
        and _names_list(locked)
        and _names_list(hidden)
        and isinstance(question, str)
    ):
        raise LessonError(_DAMAGED)
    try:
        return make(owner, settings, locked, hidden, question)
    except LessonError as error:
        # Usually a link made before the lab changed its settings: say what no longer fits.
        raise LessonError(f"this lesson link no longer fits the lab: {error}") from None


def token_from_link(link: str) -> str | None:
    """The lesson token of a whole link, or None when it has none."""
    values = parse_qs(urlsplit(link).query).get(QUERY_KEY)
    return values[0] if values else None


# --- the token's parts ---------------------------------------------------------------------

_DAMAGED = (
    "this lesson link is damaged (cut short or changed by hand): copy the whole link again from your teacher"
)


def _token_of(text: str) -> str:
    text = str(text or "").strip()
    if not text:
        raise LessonError("the lesson link is empty")
    if "?" in text or "://" in text:
        text = token_from_link(text) or ""
        if not text:
            raise LessonError(f"this link has no lesson in it (no '?{QUERY_KEY}=...')")
    if len(text) > MAX_TOKEN_CHARS:
        raise LessonError(f"this lesson link is too long ({len(text)} characters) to be one of ours")
    return text


def _payload(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise LessonError(_DAMAGED) from None
    checksum, packed = raw[:4], raw[4:]
    if len(raw) < 5 or zlib.crc32(packed).to_bytes(4, "big") != checksum:
        raise LessonError(_DAMAGED)
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise LessonError("this lesson link holds far more than a lab's setup; it is not one of ours")
        payload = json.loads(text.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError):
        raise LessonError(_DAMAGED) from None
    if not isinstance(payload, dict):
        raise LessonError(_DAMAGED)
    if payload.get("v") != VERSION:
        raise LessonError(
            f"this lesson link was made by another version of the app (version {payload.get('v')!r}); "
            "ask your teacher to make it again"
        )
    return payload


def _same(a: Any, b: Any) -> bool:
    """Equal as settings: 0.01 and 0.010000001 from a float box are not a change; lists compare
    as lists (a multichoice comes back from JSON as a list)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    return a == b


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(name) for name in names or ()))


def _names_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def _names(names: Iterable[str]) -> str:
    return ", ".join(names)
