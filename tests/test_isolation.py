"""Isolation between students: one session's model, data and settings are never visible to
another, on either front, even when they train at the same time on the one shared runner."""

from __future__ import annotations

from gradio_client import Client
from helpers import open_lab, texts

import ui_streamlit as ui

MODEL_RADIO = "digits-training-model"
ALICE_SENTENCES = "Alice keeps a secret.\nAlice likes owls."
BOB_SENTENCES = "Bob writes in private.\nBob likes foxes."


def test_two_gradio_sessions_training_at_once_each_see_only_their_own(app_url, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    alice, bob, carol = (Client(app_url, verbose=False) for _ in range(3))
    # Both press Train at the same moment: one runs, the other waits its turn in the queue.
    jobs = {
        "alice": alice.submit(
            sentences=ALICE_SENTENCES, hidden_size=16, epochs=20, api_name="/charlstm_train"
        ),
        "bob": bob.submit(sentences=BOB_SENTENCES, hidden_size=24, epochs=20, api_name="/charlstm_train"),
    }
    # A stranger's Stop must not touch anyone else's training.
    carol.predict(api_name="/charlstm_stop")
    outputs = {name: job.result(timeout=300) for name, job in jobs.items()}
    for name, (status, *_rest) in outputs.items():
        assert "Training finished" in status, (name, status)

    def learnt(student: Client, model: str = "session") -> list[str]:
        answer = student.predict(samples=5, model=model, api_name="/charlstm_memorisation")
        return [row["sentence"] for row in answer["sentences"]]

    assert learnt(alice) == ["Alice keeps a secret.", "Alice likes owls."]
    assert learnt(bob) == ["Bob writes in private.", "Bob likes foxes."]
    # Each one's download is their own file (status, three charts, samples, download, ...).
    assert outputs["alice"][5] != outputs["bob"][5]
    # Someone who trained nothing has no session model, and the bundled one is untouched.
    assert "no trained model yet" in carol.predict("session", api_name="/charlstm_model_info")
    bundled = learnt(carol, "default")
    assert not any("Alice" in s or "Bob" in s for s in bundled)
    # Generating with "session" uses the asker's own model: Bob's never speaks Alice's words.
    bob_text = bob.predict(greedy=True, model="session", api_name="/charlstm_generate")["texts"][0]["text"]
    assert "Alice" not in bob_text


def test_a_streamlit_session_never_sees_another_sessions_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    trainer = open_lab("digits")
    trainer.slider(key="digits-epochs").set_value(1)
    trainer.button(key="digits-train").click().run()
    assert trainer.session_state["digits-training"].job.wait(timeout=240), "the training did not finish"
    trainer.run()
    bundled = ["Bundled fast-cnn", "Bundled cnn", "Bundled mlp"]
    assert trainer.radio(key=MODEL_RADIO).options == [*bundled, ui.SESSION]

    other = open_lab("digits")  # a second browser: its own session, on the same server
    assert other.radio(key=MODEL_RADIO).options == bundled, "offered another session's model"
    assert "trained in this session" not in texts(other.caption)
