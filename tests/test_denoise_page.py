"""The denoising page through Streamlit's AppTest: the bundled model at once on a held-out digit,
the noise controls, an empty pad, the table by noise, and a tiny training that becomes the page's
model."""

from __future__ import annotations

from helpers import captions, model_radio, open_lab, texts, train_on_page


def metric_values(at) -> dict[str, float]:
    return {metric.label: float(metric.value) for metric in at.metric}


def test_the_page_opens_on_the_bundled_model_and_asks_for_a_drawing():
    at = open_lab("denoise")
    assert model_radio(at, "denoise").value == "Bundled skip-ae"
    assert "held-out PSNR" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    assert "Draw or upload a picture" in texts(at.info)
    assert "architecture course" in texts(at.caption)  # the course's recipe beside Train
    table = at.dataframe[0].value  # each kind of noise, as recorded
    assert list(table["noise"]) == ["gaussian 0.5", "mask 0.5", "salt-pepper 0.2"]
    assert not at.error and not at.exception


def test_a_heldout_digit_is_shown_clean_noisy_and_denoised():
    at = open_lab("denoise")
    shown = captions(at)  # held-out digit 0 at once
    assert "Clean" in shown and "Noisy: " in shown and "Denoised: " in shown
    before = metric_values(at)
    assert before["PSNR of the denoised output (dB)"] > before["PSNR of the noisy input (dB)"]

    at.selectbox(key="denoise-heldout-noise").set_value("salt-pepper").run()
    at.slider(key="denoise-heldout-level").set_value(0.2).run()
    harder = metric_values(at)
    assert harder["PSNR of the noisy input (dB)"] != before["PSNR of the noisy input (dB)"]

    at.number_input(key="denoise-heldout-seed").increment().run()  # new noise
    assert at.number_input(key="denoise-heldout-seed").value == 1
    assert metric_values(at)["PSNR of the noisy input (dB)"] != harder["PSNR of the noisy input (dB)"]
    at.number_input(key="denoise-heldout-index").set_value(3603).run()
    assert not at.warning and not at.exception
    at.number_input(key="denoise-heldout-index").set_value(3604).run()
    assert "from 0 to 3603" in texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    at, view = train_on_page("denoise", {"epochs": 1}, max_steps=20)
    assert view.history.steps["psnr_gain"], "the page did not read the job's PSNR"
    assert "trained in this session" in texts(at.caption)
    assert "clean | noisy | denoised" in texts(at.caption)  # the samples' title
