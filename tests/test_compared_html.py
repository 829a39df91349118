"""core.compared_html: the same input through each compared run, one column per run."""

from __future__ import annotations

import numpy as np

from core.compared_html import compared_html, output_html
from core.interactions import Interaction, Output, Probabilities
from core.runs import Run
from core.specs import Param, SpecError

OUTPUTS = (
    Output("label", "label", "Prediction"),
    Output("picture", "image"),
    Output("note", "markdown"),
    Output("score", "number"),
    Output("rows", "table"),
    Output("chart", "plot"),
    Output("hidden", "json", shown=False),
)


def answer(trained: str, word: str) -> dict:
    if trained == "broken":
        raise SpecError(f"cannot read {word!r}")
    return {
        "label": Probabilities(("cat", "dog", "<bird>"), np.array([0.1, 0.7, 0.2])),
        "picture": np.zeros((4, 4)),
        "note": f"{trained} read\n{word}",
        "score": 0.123456,
        "rows": [{"word": word, "p": 0.5}],
        "chart": object(),  # never drawn: only named
        "hidden": {"secret": "not shown"},
    }


ECHO = Interaction(
    "echo", "Echo", "help", answer, inputs=(Param("word", "text", "hi", "a word"),), outputs=OUTPUTS
)


def run(label: str, trained: str) -> Run:
    return Run("toy", label, {"seed": 0}, {}, trained=trained)


def test_each_run_answers_in_its_own_column_and_an_error_stays_in_its_column():
    html = compared_html(ECHO, {"word": "<b>"}, [run("first", "one"), run("second <2>", "broken")])
    assert html.count('<div style="flex:1;min-width:12em">') == 2
    assert "<h4>first</h4>" in html and "<h4>second &lt;2&gt;</h4>" in html  # labels escaped
    assert "<strong>dog</strong> (dog 70%, &lt;bird&gt; 20%, cat 10%)" in html  # top three, best first
    assert "one read<br>&lt;b&gt;" in html  # text escaped, lines kept
    assert "0.1235" in html and 'src="data:image/png;base64,' in html
    assert "<td>&lt;b&gt;</td><td>0.5</td>" in html
    assert "a plot: pick this run as the model in use to see it" in html
    assert "not shown" not in html  # an output in the API's answer only
    assert "<em>cannot read &#x27;&lt;b&gt;&#x27;</em>" in html  # the broken run's own message


def test_a_missing_value_or_an_empty_table_shows_nothing():
    assert output_html(Output("note", "markdown"), None) == ""
    assert output_html(Output("rows", "table"), []) == ""
