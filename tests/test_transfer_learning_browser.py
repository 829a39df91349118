"""The transfer-learning lab's own classes in Debian's Chromium, on both fronts, as a student
makes them: two classes of three small uploaded pictures each (red and blue), the frozen head
taught on the button (fine-tuning off: seconds), and an uploaded bluish photo answered "blue".
Bad input answers on the page: a class left without pictures, and a file that is no picture
(Streamlit names it in its class's summary on every run while it stays uploaded).

One page per front, three small PNGs per class. Uploads go through each front's hidden file
input (`set_input_files`); the test waits until the page lists the uploaded files before it
presses a button, since a click while an upload is still on its way reads the boxes without it.
Waits on what the page shows, never on the clock."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS
from PIL import Image

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

RED, BLUE = (220, 30, 30), (30, 30, 220)
PER_CLASS = 3
UNREADABLE = "The file is not a readable png, jpg or webp image"


def picture(path: Path, colour: tuple[int, int, int], seed: int) -> str:
    """A 48-pixel noisy square of `colour`: each picture of a class a little different."""
    noise = np.random.default_rng(seed).normal(0, 20, (48, 48, 3))
    Image.fromarray(np.clip(np.asarray(colour) + noise, 0, 255).astype(np.uint8)).save(path)
    return str(path)


@pytest.fixture
def pictures(tmp_path) -> dict[str, list[str]]:
    """Three pictures per class, a bluish photo to classify, and a text file named like a PNG."""
    made = {
        name: [picture(tmp_path / f"{name}{n}.png", colour, seed=10 * i + n) for n in range(PER_CLASS)]
        for i, (name, colour) in enumerate({"red": RED, "blue": BLUE}.items())
    }
    made["photo"] = [picture(tmp_path / "photo.png", (40, 40, 200), seed=99)]
    (tmp_path / "notes.png").write_text("not a picture")
    made["notes"] = [str(tmp_path / "notes.png")]
    return made


def test_own_classes_are_taught_and_answer_an_uploaded_photo_in_gradio(app_url, open_tab, pictures):
    page = open_tab(f"{app_url}transfer-learning")
    panel = page.get_by_role("tabpanel").filter(has=page.locator(".class-pictures")).last
    boxes = panel.locator(".class-pictures")  # the first two classes' file boxes (open accordions)
    expect(boxes.first).to_be_attached(timeout=FIRST_LOAD_MS)
    panel.get_by_label("My own classes").check()
    panel.get_by_role("checkbox", name="Fine-tune").uncheck()  # the frozen head only: seconds
    names = panel.get_by_label("Name", exact=True)
    names.nth(0).fill("red")
    names.nth(1).fill("blue")
    boxes.nth(0).locator("input[type=file]").set_input_files(pictures["red"])
    expect(boxes.nth(0).locator("tr.file")).to_have_count(PER_CLASS)  # uploaded: listed
    teach = panel.get_by_role("button", name="Teach your classes")

    teach.click()  # "blue" has no pictures yet
    expect(panel.get_by_text("Class 'blue' has 0 pictures")).to_be_visible(timeout=PREDICTION_MS)

    boxes.nth(1).locator("input[type=file]").set_input_files(pictures["blue"])
    photo = panel.get_by_role("button", name=re.compile("Drop an image file here"))
    photo.locator("input[type=file]").set_input_files(pictures["photo"])
    expect(boxes.nth(1).locator("tr.file")).to_have_count(PER_CLASS)
    expect(panel.locator("img[src*='photo.png']")).to_be_attached()  # the photo's upload is done
    teach.click()
    expect(panel.get_by_text("Trained on 2 classes from your own pictures: red (3), blue (3)")).to_be_visible(
        timeout=PREDICTION_MS
    )
    expect(panel.get_by_test_id("label-output-value")).to_have_text("blue")  # the photo, not the cat
    expect(panel.get_by_text("answered by the frozen model")).to_be_visible()  # fine-tuning was off

    boxes.nth(1).locator("input[type=file]").set_input_files(pictures["notes"])  # adds a fourth file
    expect(boxes.nth(1).locator("tr.file")).to_have_count(PER_CLASS + 1)
    teach.click()
    expect(page.get_by_text(f"notes.png: {UNREADABLE}")).to_be_visible(timeout=PREDICTION_MS)


def in_class(page, number: int):
    """Streamlit's expander of class `number` (the page has other expanders above it)."""
    return page.get_by_test_id("stExpander").filter(has_text=f"Class {number}")


def settled(page) -> None:
    """Streamlit's script run has ended: a file given to an uploader during a run is dropped (the
    earlier attempt's uploads after typing a name were). Called once the page shows what the
    action before it brought, so the run that action started has begun."""
    idle = page.locator("[data-testid=stApp][data-test-script-state=notRunning]")
    expect(idle).to_be_attached(timeout=PREDICTION_MS)


def test_own_classes_are_taught_and_answer_an_uploaded_photo_in_streamlit(streamlit_url, open_tab, pictures):
    page = open_tab(f"{streamlit_url}/transfer-learning")
    key = ".st-key-transfer-learning-your-classes"
    source = page.locator(f"{key}-images-source")
    expect(source).to_be_visible(timeout=FIRST_LOAD_MS)
    source.get_by_text("My own classes").click()
    upload = [page.locator(f"{key}-images-upload-{n} input[type=file]") for n in range(2)]
    expect(upload[0]).to_be_attached(timeout=PREDICTION_MS)
    settled(page)
    upload[0].set_input_files(pictures["red"])
    expect(in_class(page, 1).get_by_text(f"{PER_CLASS} pictures")).to_be_visible(timeout=PREDICTION_MS)
    settled(page)
    upload[1].set_input_files(pictures["blue"])
    expect(in_class(page, 2).get_by_text(f"{PER_CLASS} pictures")).to_be_visible(timeout=PREDICTION_MS)
    settled(page)
    page.locator(f"{key}-photo-source").get_by_text("Upload").click()
    photo = page.locator(f"{key}-photo-upload")
    expect(photo.locator("input[type=file]")).to_be_attached(timeout=PREDICTION_MS)
    settled(page)
    photo.locator("input[type=file]").set_input_files(pictures["photo"])
    expect(photo.get_by_text(re.compile(r"^\d+(\.\d+)?KB$"))).to_be_visible(timeout=PREDICTION_MS)  # sent
    # Names and switches last: a value typed or ticked during a run is sent with the next one.
    page.locator(f"{key}-fine_tune").get_by_text("Fine-tune").click()  # off: the frozen head only
    for number, name in enumerate(("red", "blue")):
        page.locator(f"{key}-images-name-{number} input").fill(name)
    page.locator(f"{key}-run button").click()
    expect(page.get_by_text("Trained on 2 classes from your own pictures: red (3), blue (3)")).to_be_visible(
        timeout=PREDICTION_MS
    )
    expect(page.get_by_text("Your classes say: blue")).to_be_visible()  # the photo, not the cat
    expect(page.get_by_text("answered by the frozen model")).to_be_visible()  # fine-tuning was off
    settled(page)

    upload[1].set_input_files(pictures["notes"])
    refused = f"{PER_CLASS} pictures (notes.png refused: {UNREADABLE}"
    expect(in_class(page, 2).get_by_text(refused)).to_be_visible(timeout=PREDICTION_MS)
    settled(page)
    # A later run (a third class asked for) still says why the class has a picture fewer.
    page.locator(f"{key}-images-count").get_by_test_id("stNumberInputStepUp").click()
    expect(in_class(page, 3)).to_be_visible(timeout=PREDICTION_MS)
    expect(in_class(page, 2).get_by_text(refused)).to_be_visible()
