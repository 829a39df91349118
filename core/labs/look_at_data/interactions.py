"""What a student does in the look-at-data lab: look at the images before any model (these need
no model), then at where a trained model goes wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core import charts
from core.data import FASHION_CLASSES
from core.imaging import example_digit, to_mnist_frame
from core.interactions import Interaction, Output, digit_input
from core.labs.base import TrainedModel
from core.labs.look_at_data import explore
from core.labs.look_at_data.explore import MAP_METHODS, SPLITS, Images
from core.specs import Param, SpecError

PAGE_SIZE = 40  # images per page of the class grid
NEIGHBOURS = 8

DATASET = Param.dataset("Which images to look at: handwritten digits (MNIST) or clothing (Fashion-MNIST).")
SPLIT = Param(
    "split",
    "choice",
    "train",
    "The training images (what a model learns from) or the held-out ones (what it is scored on).",
    choices=SPLITS,
)
LABEL = Param(
    "label",
    "int",
    7,
    "Which class, by number: MNIST's are the digits 0 to 9; Fashion-MNIST's are "
    + ", ".join(f"{number} {name}" for number, name in enumerate(FASHION_CLASSES))
    + ".",
    label="Class",
    low=0,
    high=9,
)
PAGE = Param("page", "int", 1, "Which page of the class's images, 40 a page.", low=1, high=1500)
INDEX = Param(
    "index",
    "int",
    0,
    "The image's number in its split, as the map shows it.",
    label="Image number",
    low=0,
    high=59_999,
)
METHOD = Param(
    "method",
    "choice",
    "pca",
    "pca: the two directions of largest spread, at once. t-sne: neighbours kept close; computed "
    f"once per dataset and size, then cached (about {explore.TSNE_SECONDS_PER_1000} s per 1,000 images).",
    label="Map",
    choices=MAP_METHODS,
)
POINTS = Param(
    "points",
    "int",
    2000,
    "How many images the map shows: a fixed random sample of the split (all of it when you ask "
    "for as many as it holds).",
    label="Images on the map",
    low=200,
    high=10_000,
    step=100,
)


def caption(data: Images, index: int) -> str:
    return f"#{index}: {data.classes[data.labels[index]]}"


# --- the data alone ----------------------------------------------------------------------------


def overview(trained: TrainedModel | None, dataset: str, split: str) -> dict[str, Any]:
    data = explore.images(dataset, split)
    stats = explore.pixel_statistics(dataset, split)
    counts = stats.images
    summary = (
        f"**{data.source.description}.** This split holds {len(data):,} images of 28 x 28 grey pixels "
        f"(784 numbers each, stored as 0 to 255, shown here divided by 255), in {len(data.classes)} "
        f"classes. The smallest class has {counts.min():,} images, the largest {counts.max():,} "
        f"({counts.max() / counts.min():.2f} times as many): "
        + (
            "close to balanced, so accuracy is a fair score."
            if counts.max() < 1.5 * counts.min()
            else "unbalanced: look at each class's accuracy, not only the total."
        )
        + f" {stats.share_of_zeros():.0%} of all pixels are exactly 0 (background); the mean pixel is "
        f"{stats.mean():.3f} and the spread (standard deviation) {stats.std():.3f}, the two "
        "numbers a normalisation layer subtracts and divides by."
    )
    bars = go.Figure(go.Bar(x=list(data.classes), y=counts.tolist(), marker_color=charts.TRAIN_COLOUR))
    charts.layout(bars, f"Images per class ({split})", "class", "images")
    histogram = stats.histogram(32)
    pixels = go.Figure(
        go.Bar(
            x=((np.arange(32) + 0.5) / 32).tolist(), y=histogram.tolist(), marker_color=charts.HELDOUT_COLOUR
        )
    )
    charts.layout(pixels, "Pixel values (log scale: most are 0)", "pixel value (0 black, 1 white)", "pixels")
    pixels.update_yaxes(type="log")
    table = [
        {
            "class": name,
            "images": int(counts[c]),
            "share": f"{counts[c] / len(data):.1%}",
            "mean pixel": round(stats.mean(c), 3),
            "ink pixels (> 0.5)": round(stats.ink_per_image(c), 1),
        }
        for c, name in enumerate(data.classes)
    ]
    return {"summary": summary, "counts": bars, "pixels": pixels, "table": table}


def browse(trained: TrainedModel | None, dataset: str, split: str, label: int, page: int) -> dict[str, Any]:
    data = explore.images(dataset, split)
    label = explore.class_index(data, label)
    members = np.flatnonzero(data.labels == label)
    pages = max(1, -(-len(members) // PAGE_SIZE))
    if page > pages:
        raise SpecError(f"Page: class {data.classes[label]} has {pages} pages of {PAGE_SIZE} images here")
    shown = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    note = (
        f"Class **{data.classes[label]}**: {len(members):,} of {data.name}, page {page} of {pages}, in the "
        "order the dataset stores them. Each caption is the image's number (the map's hover shows "
        "the same numbers)."
    )
    return {"note": note, "grid": [(data.image(i), f"#{i}") for i in shown]}


def mean_images(trained: TrainedModel | None, dataset: str, split: str) -> dict[str, Any]:
    data = explore.images(dataset, split)
    means, spreads = explore.mean_and_spread(data)
    peak = spreads.max()  # one scale for every class, so their spreads compare
    note = (
        "The **mean** of each class is its average image: where ink usually is. The **spread** is "
        "each pixel's standard deviation over the class (bright: the pixel varies from image to "
        f"image; scaled so the brightest spread, {peak:.2f}, is white). A class whose mean is sharp "
        "and spread small is written (or made) the same way every time; a blurred mean is a class "
        "drawn many ways, and harder for a model that compares pixels."
    )
    return {
        "note": note,
        "means": [(m, name) for m, name in zip(means, data.classes, strict=True)],
        "spreads": [(s / peak, name) for s, name in zip(spreads, data.classes, strict=True)],
    }


def scatter(data: Images, found: explore.Map, title: str) -> go.Figure:
    """The map, a colour per class; hovering a point names the image's number and class."""
    fig = go.Figure()
    labels = data.labels[found.rows]
    for c, name in enumerate(data.classes):
        mine = labels == c
        if not mine.any():
            continue
        fig.add_scatter(
            x=found.xy[mine, 0].tolist(),
            y=found.xy[mine, 1].tolist(),
            mode="markers",
            name=name,
            customdata=found.rows[mine].tolist(),
            marker=dict(size=5, color=charts.CLASS_COLOURS[c % len(charts.CLASS_COLOURS)], opacity=0.7),
            hovertemplate=f"image #%{{customdata}}: {name}<extra></extra>",
        )
    axes = ("component 1", "component 2") if found.method == "pca" else ("t-SNE 1", "t-SNE 2")
    charts.layout(fig, title, *axes, height=520)
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1.0, yanchor="top", itemsizing="constant"))
    return fig


def data_map(
    trained: TrainedModel | None, dataset: str, split: str, method: str, points: int
) -> dict[str, Any]:
    data = explore.images(dataset, split)
    found = explore.data_map(data, method, points)
    title = f"{method.upper()} map of {len(found.rows):,} of {data.name}"
    note = (
        f"{found.note} Each dot is one image, coloured by its class; hover over a dot for its "
        "number and class, and type the number in **Show one image** to see it. Classes that "
        "overlap here are the ones a simple model will confuse."
    )
    return {"note": note, "map": scatter(data, found, title)}


def neighbours_gallery(
    data: Images, indices: np.ndarray, distances: np.ndarray
) -> list[tuple[np.ndarray, str]]:
    return [
        (data.image(i), f"{caption(data, i)}, distance {d:.1f}")
        for i, d in zip(indices, distances, strict=True)
    ]


def show_image(trained: TrainedModel | None, dataset: str, split: str, index: int) -> dict[str, Any]:
    data = explore.images(dataset, split)
    index = explore.checked_index(data, index)
    train = explore.images(dataset, "train")
    found, distances = explore.nearest(dataset, data.image(index), NEIGHBOURS + 1)
    if split == "train":  # the image itself is its own nearest: leave it out
        keep = found != index
        found, distances = found[keep], distances[keep]
    found, distances = found[:NEIGHBOURS], distances[:NEIGHBOURS]
    about = (
        f"Image **#{index}** of {data.name}: labelled **{data.classes[data.labels[index]]}**. "
        f"Below, the {NEIGHBOURS} training images closest to it pixel by pixel. A near twin with another "
        "label is a hard case, or a wrong label."
    )
    return {
        "image": data.image(index),
        "about": about,
        "neighbours": neighbours_gallery(train, found, distances),
    }


def neighbours(trained: TrainedModel | None, image: np.ndarray, dataset: str) -> dict[str, Any]:
    frame = to_mnist_frame(image)
    train = explore.images(dataset, "train")
    found, distances = explore.nearest(dataset, frame, NEIGHBOURS)
    votes = np.bincount(train.labels[found], minlength=len(train.classes))
    winner = int(votes.argmax())
    vote = (
        f"{votes[winner]} of the {NEIGHBOURS} nearest of {len(train):,} training images are "
        f"**{train.classes[winner]}**: a nearest-neighbour classifier, with no training at all, would "
        "answer that. It compares raw pixels, so a drawing shifted or thicker than the images finds "
        "neighbours that are merely in the same place."
    )
    return {"seen": frame, "vote": vote, "neighbours": neighbours_gallery(train, found, distances)}


# --- where a trained model goes wrong ----------------------------------------------------------


def mistakes(trained: TrainedModel, method: str, points: int) -> dict[str, Any]:
    from core.labs.look_at_data.train import heldout_answers

    dataset = trained.config.get("params", {}).get("dataset", "mnist")
    data = explore.images(dataset, "held-out")
    answers, confidence = heldout_answers(trained)
    wrong = np.flatnonzero(answers != data.labels)
    found = explore.data_map(data, method, points)
    fig = scatter(data, found, f"The model's held-out mistakes on the {method.upper()} map")
    position = {row: n for n, row in enumerate(found.rows.tolist())}
    placed = [i for i in wrong.tolist() if i in position]
    xy = found.xy[[position[i] for i in placed]] if placed else np.zeros((0, 2))
    fig.add_scatter(
        x=xy[:, 0].tolist(),
        y=xy[:, 1].tolist(),
        mode="markers",
        name="mistake",
        customdata=placed,
        text=[
            f"is {data.classes[data.labels[i]]}, said {data.classes[answers[i]]} ({confidence[i]:.0%})"
            for i in placed
        ],
        marker=dict(size=9, color="black", symbol="x"),
        hovertemplate="image #%{customdata}: %{text}<extra></extra>",
    )
    surest = wrong[np.argsort(-confidence[wrong])][:24]
    note = (
        f"Held-out accuracy **{1 - len(wrong) / len(data):.2%}**: {len(wrong):,} mistakes in {len(data):,} "
        f"images of {data.source.description}. {len(placed):,} of them are among the {len(found.rows):,} "
        "images on the map, marked x. Look where they sit: where two classes' clouds meet, or deep "
        "in another class's cloud (an odd way of writing, or a doubtful label). " + found.note
    )
    gallery = [
        (
            data.image(i),
            f"#{i}: said {data.classes[answers[i]]}, is {data.classes[data.labels[i]]} ({confidence[i]:.0%})",
        )
        for i in surest
    ]
    return {"note": note, "map": fig, "mistakes": gallery}


NOTE = Output("note", "markdown", "")
MAP_HELP = "Each dot is an image, placed so that similar images sit close; hover for its number and class."

INTERACTIONS = (
    Interaction(
        "overview",
        "Counts and pixels",
        "How many images each class has, and what the pixel values are: the first things to check.",
        overview,
        inputs=(DATASET, SPLIT),
        outputs=(
            Output("summary", "markdown", "At a glance"),
            Output(
                "counts",
                "plot",
                "Images per class",
                help="A class with far fewer images is one a model sees less.",
            ),
            Output(
                "pixels",
                "plot",
                "Pixel values",
                help="How many pixels have each brightness, over the whole split.",
            ),
            Output("table", "table", "Per class"),
        ),
        example={"dataset": "mnist", "split": "train"},
        needs_model=False,
    ),
    Interaction(
        "browse",
        "Browse a class",
        "Every image of one class, 40 at a time, with its number.",
        browse,
        inputs=(DATASET, SPLIT, LABEL, PAGE),
        outputs=(NOTE, Output("grid", "gallery", "Images of the class", size=56, columns=10)),
        example={"dataset": "mnist", "label": 7, "page": 1},
        needs_model=False,
    ),
    Interaction(
        "mean-images",
        "Mean and spread per class",
        "The average image of each class and how much each pixel varies within it.",
        mean_images,
        inputs=(DATASET, SPLIT),
        outputs=(
            NOTE,
            Output("means", "gallery", "Mean image per class", size=84, columns=5),
            Output("spreads", "gallery", "Spread (standard deviation) per class", size=84, columns=5),
        ),
        example={"dataset": "mnist"},
        needs_model=False,
    ),
    Interaction(
        "map",
        "Map of the set",
        "Every image as a dot on a 2-D map (PCA at once, or t-SNE computed once and cached); hover "
        "over a dot to see which image it is.",
        data_map,
        inputs=(DATASET, SPLIT, METHOD, POINTS),
        outputs=(NOTE, Output("map", "plot", "Map", help=MAP_HELP)),
        example={"dataset": "mnist", "method": "pca", "points": 1000},
        live=False,
        needs_model=False,
    ),
    Interaction(
        "image",
        "Show one image",
        "One image by its number (from the map or the grid), with its nearest training images.",
        show_image,
        inputs=(DATASET, SPLIT, INDEX),
        outputs=(
            Output("image", "image", "The image", size=168),
            Output("about", "markdown", ""),
            Output("neighbours", "gallery", "Nearest training images", size=84, columns=4),
        ),
        example={"dataset": "mnist", "index": 0},
        needs_model=False,
    ),
    Interaction(
        "neighbours",
        "Nearest neighbours of a drawing",
        "Draw a digit (or a piece of clothing) and find the training images closest to it, pixel by pixel.",
        neighbours,
        inputs=(
            digit_input(help="A drawing, or a photo or scan, to compare with every training image."),
            DATASET,
        ),
        outputs=(
            Output("seen", "image", "Your drawing as a 28 x 28 image", size=168),
            Output("vote", "markdown", ""),
            Output("neighbours", "gallery", "Nearest training images", size=84, columns=4),
        ),
        example={"image": example_digit, "dataset": "mnist"},
        needs_model=False,
    ),
    Interaction(
        "mistakes",
        "Mistakes on the map",
        "The trained model's held-out mistakes placed on the map of the held-out images.",
        mistakes,
        inputs=(METHOD, POINTS),
        outputs=(
            NOTE,
            Output(
                "map", "plot", "Mistakes on the map", help=MAP_HELP + " Crosses are the model's mistakes."
            ),
            Output("mistakes", "gallery", "The mistakes it was surest of", size=84, columns=6),
        ),
        example={"method": "pca", "points": 2000},
        live=False,
    ),
)
