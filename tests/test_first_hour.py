"""A class's first hour (issue 12, item 10), in AppTest and through the API: each session trains
from a seed of its own, shown, with the bundled model's seed beside it; after a training the
page suggests one change to try next. (The browser-level items are in
test_first_hour_browser.py.)"""

from __future__ import annotations

from helpers import api, captions, open_lab, train_on_page, widget

from core.specs import first_seed


def test_without_a_fixed_seed_each_session_starts_from_its_own(monkeypatch):
    monkeypatch.delenv("DLL_SEED", raising=False)
    seeds = {first_seed() for _ in range(30)}
    assert 0 not in seeds, "a session started from the bundled models' seed"
    assert len(seeds) > 20


def test_a_teacher_can_fix_the_seed_for_the_whole_class(monkeypatch):
    monkeypatch.setenv("DLL_SEED", "7")
    assert {first_seed() for _ in range(5)} == {7}


def test_the_page_shows_this_sessions_seed_and_the_bundled_one(monkeypatch):
    monkeypatch.delenv("DLL_SEED", raising=False)
    at = open_lab("digits")
    seed = widget(at, "digits-seed").value
    assert seed != 0
    assert "The bundled models were trained with seed 0" in captions(at)
    at.run()
    assert widget(at, "digits-seed").value == seed, "the seed changed between two runs of the page"


def test_after_a_training_the_page_suggests_one_change():
    at, _ = train_on_page("denoise", {"epochs": 1}, max_steps=5)
    assert "Next: train again with one change" in captions(at)


def test_after_a_training_the_api_status_suggests_one_change(client):
    outputs = client.predict(epochs=1, api_name=api("denoise", "train"))
    assert "Training finished" in outputs[0]
    assert "Next: train again with one change" in outputs[0]
