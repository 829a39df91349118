"""The look-at-data tab's HTTP API through gradio_client: the explorer's endpoints answer with no
model (Fashion-MNIST's counts, a map whose points carry each image's number, the neighbours of a
drawn digit), bad input gets a message, and the bundled model's mistakes are on the map."""

from __future__ import annotations

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import lab_endpoints

from core.imaging import example_digit
from core.interactions import png_bytes


def test_the_explorer_answers_through_the_api(client: Client, tmp_path, data_dir) -> None:
    lab_endpoints(client, "look-at-data", "overview", "browse", "mean-images", "map", "image", "neighbours")
    counts = client.predict(dataset="fashion-mnist", split="held-out", api_name="/look_at_data_overview")
    assert [row["images"] for row in counts["table"]] == [1000] * 10  # the official test split
    assert counts["table"][9]["class"] == "Ankle boot"
    drawn = tmp_path / "seven.png"
    drawn.write_bytes(png_bytes(example_digit()))
    near = client.predict(image=handle_file(str(drawn)), dataset="mnist", api_name="/look_at_data_neighbours")
    assert len(near["neighbours"]) == 8 and "nearest of 12,000 training images" in near["vote"]
    with pytest.raises(AppError, match="numbered 0 to 3,603"):
        client.predict(split="held-out", index=4000, api_name="/look_at_data_image")


def test_the_mistakes_of_the_bundled_model(client: Client, data_dir) -> None:
    result = client.predict(method="pca", points=500, api_name="/look_at_data_mistakes")
    assert "Held-out accuracy **95.53%**" in result["note"]
    assert len(result["mistakes"]) == 24
