"""core.output_views: an interaction's outputs as both fronts draw them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import output_views
from core.interactions import Heatmap, Output, Probabilities


def test_pictures_are_enlarged_by_whole_pixels_to_the_outputs_size():
    image = np.linspace(0, 1, 28 * 28).reshape(28, 28)
    shown = output_views.drawn(Output("digit", "image", size=280), image)
    assert shown.shape == (280, 280) and shown.dtype == np.uint8
    assert (shown[:10, :10] == shown[0, 0]).all()  # one pixel became a 10x10 block
    gallery = output_views.drawn(Output("digits", "gallery", size=56), [(image, "a"), (image, "b")])
    assert [caption for _, caption in gallery] == ["a", "b"] and gallery[0][0].shape == (56, 56)


def test_charts_get_their_titles_and_other_values_pass_through():
    heatmap = Heatmap(np.eye(2), ("a", "b"), ("c", "d"))
    figure = output_views.drawn(Output("weights", "heatmap", "Weights"), heatmap)
    assert isinstance(figure, go.Figure) and "Weights" in str(figure.layout.title.text)
    plot = go.Figure(layout={"title": {"text": "A chart"}})
    assert isinstance(output_views.drawn(Output("chart", "plot"), plot), go.Figure)
    rows = [{"a": 1}]
    assert output_views.drawn(Output("rows", "table"), rows) is rows


def test_a_classifiers_answer_is_scores_by_class():
    answer = Probabilities(("cat", "dog"), np.array([0.25, 0.75], dtype=np.float32))
    scores = output_views.label_scores(answer)
    assert scores == {"cat": 0.25, "dog": 0.75} and all(type(p) is float for p in scores.values())


def test_training_samples_are_enlarged_8_bit_pictures_with_their_captions():
    images = np.zeros((2, 8, 8))
    items = output_views.gallery_items(images, ["one", "two"], scale=3)
    assert [caption for _, caption in items] == ["one", "two"]
    assert items[0][0].shape == (24, 24) and items[0][0].dtype == np.uint8
