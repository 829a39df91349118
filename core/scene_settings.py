"""The settings of the labs that learn from made-up scenes, objects pasted onto real photos
(core.scenes): detection and segmentation. Torch-free, as specs are."""

from core.specs import Param

OBJECT_CHOICES = ("digits", "fashion", "both")  # core.scenes.OBJECT_SETS


def objects_param(note: str = "") -> Param:
    """Which objects are pasted onto the photos; `note` ends the help (" (20 classes)")."""
    return Param(
        "objects",
        "choice",
        "digits",
        "What is pasted onto the photos: handwritten digits (MNIST), clothing (Fashion-MNIST) "
        f"or both{note}.",
        choices=OBJECT_CHOICES,
    )


MAX_OBJECTS = Param("max_objects", "int", 3, "Most objects pasted into one scene.", low=1, high=5)
SCENE_SEED = Param(
    "scene_seed",
    "int",
    0,
    "Which scenes: the same seed makes the same training and held-out scenes.",
    low=0,
    high=2**31 - 1,
)
