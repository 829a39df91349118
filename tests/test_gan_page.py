"""The GAN page through Streamlit's AppTest: the bundled generator at once (samples, interpolation,
sliders, timeline, the digits it draws), bad ends explained, two picked samples as the
interpolation's ends, and a tiny training whose curves, grid and model the page then shows."""

from __future__ import annotations

from helpers import captions, model_radio, open_lab, texts, train_on_page


def test_the_page_opens_on_the_bundled_generator():
    at = open_lab("gan")
    assert model_radio(at, "gan").value == "Bundled cdcgan"
    assert "read confidently as digits" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    assert "#31" in captions(at)  # 32 numbered samples
    assert "Linear path, 10 frames" in texts(at.markdown)
    assert "As an animation (forth and back)" in captions(at)
    assert "The seed's sample as drawn" in captions(at) and "With your sliders" in captions(at)
    assert "Start: step 0" in captions(at) and "End: step" in captions(at)
    assert "No mode collapse detected" in texts(at.markdown)
    assert not at.error and not at.exception


def test_ends_that_are_not_seeds_are_explained():
    at = open_lab("gan")
    at.text_input(key="gan-interpolate-start").set_value("lucky").run()
    assert "'lucky' is not a number" in texts(at.error)
    at.text_input(key="gan-interpolate-start").set_value("").run()
    assert "enter a whole number" in texts(at.error)
    at.text_input(key="gan-interpolate-start").set_value("1").run()
    at.text_input(key="gan-interpolate-end").set_value("7:x").run()
    assert "'x' is not a number" in texts(at.error)
    assert not at.exception


def test_sliders_seeds_and_steps_change_what_is_drawn():
    at = open_lab("gan")
    at.slider(key="gan-interpolate-steps").set_value(64)
    at.selectbox(key="gan-interpolate-mode").set_value("spherical").run()
    assert "Spherical path, 64 frames" in texts(at.markdown)
    at.number_input(key="gan-sample-seed").set_value(5).run()
    assert "`5:3` is sample #3 of seed 5" in texts(at.markdown)
    at.slider(key="gan-nudge-z1").set_value(2.5).run()
    at.selectbox(key="gan-nudge-digit").set_value("7").run()
    assert "drawn here: class 7" in texts(at.markdown)
    at.slider(key="gan-timeline-position").set_value(0).run()
    assert "Step 0 of" in texts(at.markdown)
    assert not at.exception and not at.error


def test_two_picked_samples_become_the_interpolation_ends():
    at = open_lab("gan")
    at.session_state["gan-picks-0-32"] = [3, 12]
    at.run()
    assert "Interpolate tab: from 0:3 to 0:12." in texts(at.success)
    assert at.text_input(key="gan-interpolate-start").value == "0:3"
    assert at.text_input(key="gan-interpolate-end").value == "0:12"
    assert "from 0:3 to 0:12" in texts(at.markdown)
    at.text_input(key="gan-interpolate-end").set_value("4").run()  # the boxes stay editable
    assert "from 0:3 to 4" in texts(at.markdown)


def test_a_tiny_training_streams_both_players_and_becomes_the_model():
    at, view = train_on_page("gan", {"epochs": 1}, max_steps=100, timeout=300)
    for metric in ("d_loss", "g_loss", "d_real", "d_fake", "confident_share", "class_entropy"):
        assert view.history.steps[metric], f"no {metric} curve"
    assert "fixed noise after step 100" in captions(at)
    specs = "\n".join(chart.proto.spec for chart in at.get("plotly_chart"))
    for title in ("Losses", "The discriminator's verdicts", "Quality (Digits classifier)"):
        assert title in specs, f"no {title} chart"
    assert "D loss" in specs and "G loss" in specs and "D(G(z)): generated" in specs  # pairs share one
    assert "Start: step 0" in captions(at) and "End: step 100" in captions(at)
