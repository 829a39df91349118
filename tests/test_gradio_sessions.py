"""The load test's browser-like Gradio client: calls with defaults filled in, gr.State kept per
session, errors as GradioCallError, output files fetched."""

import pytest

from benchmarks.gradio_sessions import GradioApp, GradioCallError, GradioSession

ONE = [[1.0 if 12 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)]


def test_sessions_call_endpoints_like_a_browser(app_url, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    app = GradioApp(app_url)
    student, other = GradioSession(app), GradioSession(app)
    assert student.predict(ONE, "fast-cnn", api_name="/classify_drawing")[0]["prediction"] == "1"
    picture = student.predict(api_name="/vae_manifold")[0]  # every setting at its default
    assert picture["url"].endswith((".webp", ".png"))
    with pytest.raises(GradioCallError, match="only the digits 0 and 1"):
        student.predict(a="12", b="1", api_name="/binary_addition_add")
    with pytest.raises(TypeError, match="unknown settings"):
        student.predict(api_name="/binary_addition_add", carry=True)

    status = student.predict(train_length=3, steps=20, api_name="/binary_addition_train")[0]
    assert "Training finished" in status
    assert "trained in this session" in student.predict("session", api_name="/binary_addition_model_info")[0]
    assert "no trained model yet" in other.predict("session", api_name="/binary_addition_model_info")[0]
