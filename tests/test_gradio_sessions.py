"""The load test's browser-like Gradio client: calls with defaults filled in, files uploaded,
gr.State kept per session, errors as GradioCallError."""

import pytest

from benchmarks.gradio_sessions import GradioApp, GradioCallError, GradioSession
from benchmarks.load_bench import _one_digit


def test_sessions_call_endpoints_like_a_browser(app_url, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    app = GradioApp(app_url)
    student, other = GradioSession(app), GradioSession(app)
    answer = student.predict(
        image=student.upload(_one_digit()), model="fast-cnn", api_name="/digits_classify"
    )
    assert answer[0]["prediction"]["prediction"] == "1"
    manifold = student.predict(api_name="/vae_manifold")[0]  # every setting at its default
    assert manifold["grid"].startswith("data:image/png;base64,")
    with pytest.raises(GradioCallError, match="only the digits 0 and 1"):
        student.predict(a="12", b="1", api_name="/binary_addition_add")
    with pytest.raises(TypeError, match="unknown settings"):
        student.predict(api_name="/binary_addition_add", carry=True)

    status = student.predict(train_length=3, steps=20, api_name="/binary_addition_train")[0]
    assert "Training finished" in status
    assert "trained in this session" in student.predict("session", api_name="/binary_addition_model_info")[0]
    assert "no trained model yet" in other.predict("session", api_name="/binary_addition_model_info")[0]
