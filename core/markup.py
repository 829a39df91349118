"""Text a student typed, shown safely inside markdown.

Both fronts render markdown: Gradio sanitises it as HTML, so a word such as `<unk>` or `<b>`
vanished as a tag; Streamlit reads `$...$` as LaTeX and `*`, `_`, `[` as formatting. A code
span shows its text exactly as typed in both, so every word that came from a student (or a
token such as `<unk>` or `<pad>`) goes through `code` before it joins a markdown line.
"""

from __future__ import annotations

import re


def code(text: str) -> str:
    """`text` as an inline code span, fenced with more backticks than it contains."""
    text = " ".join(str(text).split())  # one line: a code span cannot hold a line break
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_list(words: list[str]) -> str:
    """Words as code spans, comma-separated."""
    return ", ".join(code(word) for word in words)
