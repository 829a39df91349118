"""Bad input through the Streamlit pages: every text box of every page, given empty, blank,
very long, right-to-left, combining, emoji and control-character text, shows a message or a
result, never an exception. (tests/test_bad_input.py covers the same inputs in core, the CLI and
the Gradio API handlers.)"""

from __future__ import annotations

import pytest
from helpers import open_lab

from core.catalogue import ready_specs

NASTY_TEXTS = (
    "",
    "   \t ",
    "🙂🙃🧠" * 40,
    "\u202eevil\u202c ŝ̸̢ó̷m̶e̵ t̴e̷x̸t̶",  # right-to-left override and stacked combining marks
    "a\x00b\x07c\x1b[31m",  # NUL, bell and a terminal escape
    "١٢٣ 12.5 -7 1e400 0b1011 ∞",  # other scripts' digits, numbers of every shape
    "word " * 400,  # 2,000 characters: past every box's limit
)


@pytest.mark.parametrize("page", [spec.id for spec in ready_specs()])
def test_every_text_box_survives_nasty_text(page):
    at = open_lab(page)
    inputs = {box.key for box in at.text_input if box.key}
    areas = {area.key for area in at.text_area if area.key}
    for key in sorted(inputs | areas):
        for text in NASTY_TEXTS:
            widget = at.text_input(key=key) if key in inputs else at.text_area(key=key)
            limit = getattr(widget, "max_chars", None)
            widget.set_value(text[:limit] if limit else text).run()
            assert not at.exception, (page, key, text[:40], at.exception)
