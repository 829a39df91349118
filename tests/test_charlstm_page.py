"""The character-level text page through Streamlit's AppTest: the bundled model writes at once,
greedy decoding finishes a memorised sentence, bad prompts and empty sentences get a message, and
a tiny training on the student's own sentences becomes the page's model."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

KEY = "charlstm-generate"


def learnt_sentences(at) -> list[str]:
    """The sentences the memorisation panel lists (after its button is pressed)."""
    at.button(key="charlstm-memorisation-run").click().run()
    tables = [frame.value for frame in at.dataframe if "sentence" in frame.value.columns]
    return list(tables[0]["sentence"])


def test_the_page_opens_on_the_bundled_model_and_writes():
    at = open_lab("charlstm")
    assert model_radio(at, "charlstm").value == "Bundled default"
    assert "memorisation rate 100%" in texts(at.caption)
    assert at.text_area(key="charlstm-sentences").value.startswith("The quick brown fox")
    assert texts(at.markdown).count("memorised") >= 1
    assert learnt_sentences(at)[0] == "The quick brown fox jumps over the lazy dog."
    assert "Memorisation rate **100%**" in texts(at.markdown)
    assert not at.error and not at.warning and not at.exception


def test_greedy_decoding_and_bad_input():
    at = open_lab("charlstm")
    at.checkbox(key=f"{KEY}-greedy").check()
    at.text_area(key=f"{KEY}-prompt").input("Practice").run()
    assert "`Practice makes perfect.` (✅ memorised)" in texts(at.markdown)
    at.text_area(key=f"{KEY}-prompt").input("Ça va 😀").run()
    assert "never saw 'Ç' '😀'" in texts(at.warning)
    at.text_area(key="charlstm-sentences").input(" \n \n").run()  # empty: refused before training
    assert "at least one sentence" in texts(at.error)
    assert at.button(key="charlstm-train").disabled
    assert not at.exception


def test_a_tiny_training_on_my_sentences_becomes_the_pages_model():
    settings = {"sentences": "Hi there.\nGo on.", "hidden_size": 16, "layers": 1, "epochs": 20}
    at, view = train_on_page("charlstm", settings)
    assert view.history.steps["memorisation"], "no memorisation curve"
    assert learnt_sentences(at) == ["Hi there.", "Go on."]
