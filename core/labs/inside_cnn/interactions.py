"""What a student does with the pretrained network: pure functions of (model, photo, ...)."""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np

from core import pretrained
from core.imaging import example_photo
from core.interactions import Interaction, Output, Probabilities, photo_input
from core.labs.base import TrainedModel
from core.labs.inside_cnn import seeing
from core.labs.inside_cnn.model import STAGES
from core.recurrent import one_thread
from core.specs import Param, SpecError

PREDICTED = "predicted"
METHODS = ("occlusion", "integrated gradients")


def class_name(index: int) -> str:
    return f"{pretrained.imagenet_classes()[index]} [{index}]"


def target_input() -> Param:
    return Param(
        "target",
        "text",
        PREDICTED,
        "Which class to explain: predicted (the top guess), a class number from 0 to 999, or a "
        "name such as Egyptian cat or espresso.",
        label="Class",
        lines=1,
    )


def resolve_target(text: str, sight: seeing.Sight) -> int:
    """'predicted', '285' or 'Egyptian cat' -> the class index; SpecError with suggestions."""
    wanted = " ".join(str(text).split()).lower()
    if wanted in ("", PREDICTED, "top", "top guess"):
        return sight.predicted
    classes = pretrained.imagenet_classes()
    if wanted.isdigit():
        if int(wanted) < len(classes):
            return int(wanted)
        raise SpecError(
            f"Class: {text!r} is not a class number; ImageNet's run from 0 to {len(classes) - 1}."
        )
    for index, description in enumerate(classes):  # a whole name, or one of its synonyms
        if wanted == description.lower() or wanted in (n.strip().lower() for n in description.split(",")):
            return index
    # "cat": the classes with the word cat (tabby cat, Persian cat...), not every name holding
    # those letters (bullfrog, Rana catesbeiana); failing that, any name holding them.
    words = [
        i for i, description in enumerate(classes) if wanted in re.split(r"[^a-z0-9']+", description.lower())
    ]
    near = words or [i for i, description in enumerate(classes) if wanted in description.lower()]
    if len(near) == 1:
        return near[0]
    if near:
        shown = "; ".join(class_name(i) for i in near[:8]) + ("; ..." if len(near) > 8 else "")
        raise SpecError(f"Class: {text!r} fits {len(near)} ImageNet classes: {shown}. Type one's number.")
    raise SpecError(
        f"Class: no ImageNet class is called {text!r}. Type predicted, a number from 0 to 999, or "
        "part of a name (cat, dog, cup...)."
    )


# --- the interactions ----------------------------------------------------------------------


@one_thread()  # see seeing.py: one thread per student's photo
def top5(trained: TrainedModel, photo: np.ndarray) -> dict[str, Any]:
    sight = seeing.look(trained, photo)
    order = np.argsort(sight.probabilities)[::-1][:5]
    guesses = Probabilities(tuple(class_name(i) for i in order), sight.probabilities[order])
    rest = 1.0 - float(sight.probabilities[order].sum())
    size = seeing.image_size(trained)
    note = (
        f"The network sees the {size}x{size} square in the middle of the photo (below), and gives "
        f"each of the 1000 ImageNet classes a probability. The top five are shown; the other 995 "
        f"share {rest:.0%}. A photo of something ImageNet has no class for (a person, say) still "
        "gets an answer: the closest things it knows."
    )
    return {"guesses": guesses, "note": note, "seen": sight.crop}


@one_thread()  # see seeing.py: one thread per student's photo
def filters(trained: TrainedModel, photo: np.ndarray) -> dict[str, Any]:
    sight = seeing.look(trained, photo)
    weights = trained.model.first_filters()  # (32, 3, 3, 3)
    pictures = []
    for number, kernel in enumerate(weights, 1):
        colours = kernel.permute(1, 2, 0).numpy()  # (3, 3, RGB)
        # Each filter on its own scale, grey at zero: bright where it wants that colour, dark
        # where it wants its absence.
        reach = float(np.abs(colours).max()) or 1.0
        pictures.append((0.5 + 0.5 * colours / reach, f"filter {number}"))
    stem = sight.stages[0]
    responses = [(seeing.map_picture(stem[c]), f"filter {c + 1}") for c in range(stem.shape[0])]
    note = (
        "The first layer is 32 filters of 3x3 pixels in 3 colours, slid over the photo two pixels "
        "at a time. Each filter's response map (below, bright where it fires) shows where its "
        "pattern is in the photo: edges of one direction, a colour against another."
    )
    return {"note": note, "filters": pictures, "responses": responses}


@one_thread()  # see seeing.py: one thread per student's photo
def feature_maps(trained: TrainedModel, photo: np.ndarray, stage: str, count: int) -> dict[str, Any]:
    sight = seeing.look(trained, photo)
    # A stage ends with a linear layer (no ReLU after an inverted residual block's last 1x1
    # convolution), so its maps have values either side of 0: shown is each map's positive
    # part, dark where the feature is absent, bright where it is (the stem and the head end
    # with ReLU6 and are all positive already).
    chosen = sight.stages[STAGES.index(stage)].clamp(min=0)
    activity = chosen.mean(dim=(1, 2))
    strongest = activity.argsort(descending=True)[:count].tolist()
    maps = [(seeing.map_picture(chosen[c]), f"map {c} (mean {activity[c]:.2f})") for c in strongest]
    overview = []
    shapes = []
    for name, output in zip(STAGES, sight.stages, strict=True):
        positive = output.clamp(min=0)
        best = int(positive.mean(dim=(1, 2)).argmax())
        channels, height, width = output.shape
        overview.append((seeing.map_picture(positive[best]), f"{name}: {channels} maps of {height}x{width}"))
        shapes.append({"stage": name, "maps": channels, "height": height, "width": width})
    note = (
        f"**{stage}**: {chosen.shape[0]} maps of {chosen.shape[1]}x{chosen.shape[2]}; the {len(maps)} "
        "most active for this photo (their positive part), each on its own brightness scale. Early "
        "maps follow edges and colours; deeper ones are coarser and fire on parts of objects (an "
        "eye, fur, a handle)."
    )
    return {"note": note, "maps": maps, "overview": overview, "shapes": shapes}


@one_thread()  # see seeing.py: one thread per student's photo
def grad_cam(trained: TrainedModel, photo: np.ndarray, target: str) -> dict[str, Any]:
    sight = seeing.look(trained, photo)
    index = resolve_target(target, sight)
    heat = seeing.grad_cam(trained, photo, index)
    return {
        "note": _about(sight, index, "Grad-CAM")
        + " Grad-CAM weighs each of the head's 1280 maps by how much the class's score rises "
        "with it, adds them up and keeps the positive part: bright where the evidence for the "
        "class is.",
        "overlay": seeing.overlay(sight.crop, heat),
        "map": heat,
    }


@one_thread()  # see seeing.py: one thread per student's photo
def attribution(trained: TrainedModel, photo: np.ndarray, target: str, method: str) -> dict[str, Any]:
    sight = seeing.look(trained, photo)
    index = resolve_target(target, sight)
    started = time.perf_counter()
    if method == "occlusion":
        heat = seeing.occlusion(trained, photo, index)
        how = (
            " Occlusion hides one part of the photo at a time under a grey square (49 places) and "
            "notes how far the class's probability falls: bright where hiding hurts most."
        )
    else:
        heat = seeing.integrated_gradients(trained, photo, index)
        how = (
            f" Integrated gradients adds up the class score's gradient along {seeing.INTEGRATION_STEPS} "
            "steps from a grey photo to this one: each pixel's share of the score (positive part, "
            "smoothed)."
        )
    seconds = time.perf_counter() - started
    took = f" Took {seconds:.1f} s." if seconds > 0.05 else " (Kept from an earlier run.)"
    return {
        "note": _about(sight, index, method.capitalize()) + how + took,
        "overlay": seeing.overlay(sight.crop, heat),
        "map": heat,
    }


def _about(sight: seeing.Sight, index: int, method: str) -> str:
    rank = int((sight.probabilities > sight.probabilities[index]).sum()) + 1
    return (
        f"**{method} for {class_name(index)}**: probability {sight.probabilities[index]:.1%}, "
        f"rank {rank} of 1000."
    )


SEEN = Output(
    "seen", "image", "What the network sees", size=224, help="The centred square the network reads."
)

INTERACTIONS = (
    Interaction(
        "top-5",
        "Top-5 ImageNet classes",
        "Pick a photo: the network's five most likely ImageNet classes, and the square it looked at.",
        top5,
        inputs=(photo_input(),),
        outputs=(
            Output("guesses", "label", "Top-5 classes", help="Probabilities of the five likeliest of 1000."),
            Output("note", "markdown", ""),
            SEEN,
        ),
        example={"photo": example_photo},
    ),
    Interaction(
        "filters",
        "First layer's filters",
        "The 32 filters of the first convolution (3x3 pixels, 3 colours) and where each fires on the photo.",
        filters,
        inputs=(photo_input(),),
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "filters",
                "gallery",
                "The 32 filters",
                size=48,
                help="Grey is zero; a bright colour is what the filter looks for, a dark one its absence.",
            ),
            Output(
                "responses",
                "gallery",
                "Where each filter fires on this photo",
                size=112,
                help="One map per filter, bright where the filter's pattern is.",
            ),
        ),
        example={"photo": example_photo},
    ),
    Interaction(
        "feature-maps",
        "Feature maps of every stage",
        "The feature maps of any stage for this photo, most active first, and the strongest map "
        "of every stage.",
        feature_maps,
        inputs=(
            photo_input(),
            Param(
                "stage",
                "choice",
                "stage 3",
                "Which stage: the stem (first convolution), stages 1 to 7, or the head (1280 maps).",
                choices=STAGES,
            ),
            Param(
                "count",
                "int",
                16,
                "How many of the stage's maps to show.",
                label="Maps shown",
                low=1,
                high=64,
            ),
        ),
        outputs=(
            Output("note", "markdown", ""),
            Output("maps", "gallery", "The stage's most active maps", size=112),
            Output(
                "overview",
                "gallery",
                "The most active map of every stage",
                size=112,
                columns=9,
                help="From the stem to the head: the maps shrink and their patterns grow coarser.",
            ),
            Output("shapes", "table", "Every stage's maps", shown=False),
        ),
        example={"photo": example_photo, "stage": "stage 5", "count": 8},
    ),
    Interaction(
        "grad-cam",
        "Grad-CAM: where it looked",
        "Where the evidence for a class is in the photo (Grad-CAM on the last convolution), for the "
        "predicted class or any other.",
        grad_cam,
        inputs=(photo_input(), target_input()),
        outputs=(
            Output("note", "markdown", ""),
            Output("overlay", "image", "Grad-CAM over the photo", size=224),
            Output("map", "image", "Grad-CAM map", size=224, help="Bright: strong evidence for the class."),
        ),
        example={"photo": example_photo, "target": PREDICTED},
    ),
    Interaction(
        "attribution",
        "Occlusion and integrated gradients",
        "Two other ways to ask which pixels made the class: hide parts of the photo (occlusion), or "
        "add up gradients from a grey photo to this one (integrated gradients). About 1 to 3 "
        "seconds each.",
        attribution,
        inputs=(
            photo_input(),
            target_input(),
            Param(
                "method",
                "choice",
                "occlusion",
                "occlusion: hide parts of the photo; integrated gradients: gradients along a path from grey.",
                choices=METHODS,
            ),
        ),
        outputs=(
            Output("note", "markdown", ""),
            Output("overlay", "image", "Attribution over the photo", size=224),
            Output(
                "map", "image", "Attribution map", size=224, help="Bright: what mattered most for the class."
            ),
        ),
        example={"photo": example_photo, "target": "espresso", "method": "integrated gradients"},
        live=False,
    ),
)
