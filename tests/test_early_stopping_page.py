"""The early-stopping page through Streamlit's AppTest: the bundled model's curve, its two kept
epoch checkpoints and one loaded; an epoch it does not keep and a resume folder that does not
exist get plain messages; a tiny training becomes the page's model, with its own checkpoints."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page, widget

LOAD = "early-stopping-load-epoch"


def table(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_the_page_opens_on_the_bundled_curve_and_its_kept_checkpoints():
    at = open_lab("early-stopping")
    assert model_radio(at, "early-stopping").value == "Bundled default"
    assert "held-out accuracy" in texts(at.caption) and "kept of" in texts(at.caption)
    assert "The course recipe: epochs 20" in texts(at.caption)
    assert "stopped the training after epoch" in texts(at.markdown)
    epochs = table(at, "folder")
    assert len(epochs) == 2 and "best kept" in list(epochs["mark"])
    assert "This bundled model keeps the checkpoints of epochs" in texts(at.markdown)
    last = int(epochs["epoch"].iloc[-1])
    widget(at, f"{LOAD}-epoch").set_value(last).run()
    assert f"**Epoch {last}**" in texts(at.markdown)
    widget(at, f"{LOAD}-epoch").set_value(1).run()
    assert "Epoch 1 has no checkpoint in this run" in texts(at.warning)
    assert not at.exception


def test_a_resume_folder_that_does_not_exist_is_refused_before_training():
    at = open_lab("early-stopping")
    widget(at, "early-stopping-resume_from").set_value("/no/such/run")
    at.button(key="early-stopping-train").click().run()
    assert "there is no folder '/no/such/run'" in texts(at.error) + texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model_with_its_checkpoints():
    settings = {"train_digits": 100, "validation_digits": 100, "hidden": 16, "batch_size": 50, "epochs": 3}
    at, view = train_on_page("early-stopping", settings)
    assert [epoch for epoch, _ in view.history.epochs["validation_loss"]] == [1, 2, 3]
    epochs = table(at, "folder")
    assert list(epochs["epoch"]) == [1, 2, 3] and "every epoch, 1 to 3" in texts(at.markdown)
