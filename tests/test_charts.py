"""Chart titles fit a phone's chart: long ones are broken into lines with room made above."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import charts


def test_a_long_title_is_broken_into_lines_and_the_top_margin_grows():
    title = "Cross-attention, layer 2, average of the heads: the English words each French word looked at"
    figure = go.Figure().update_layout(title=title, height=300, margin=dict(t=40))
    charts.fit_title(figure)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= charts.TITLE_CHARACTERS for line in lines)
    assert " ".join(lines) == title
    extra = charts.TITLE_LINE_PX * (len(lines) - 1)
    assert figure.layout.margin.t == 40 + extra and figure.layout.height == 300 + extra
    charts.fit_title(figure)  # the fronts may fit a figure twice: nothing more happens
    assert figure.layout.margin.t == 40 + extra


def test_a_short_title_is_left_alone():
    figure = go.Figure().update_layout(title="Loss", margin=dict(t=40))
    assert charts.fit_title(figure).layout.title.text == "Loss"
    assert figure.layout.margin.t == 40


def test_heatmaps_come_with_fitted_titles():
    figure = charts.word_heatmap(np.eye(3), list("abc"), list("xyz"), "word " * 30)
    assert "<br>" in figure.layout.title.text
    assert figure.layout.margin.t > 90  # the heatmap's own top margin, plus the extra lines
