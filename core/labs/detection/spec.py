"""The detection lab's spec: its place in the catalogue, its settings and the course's recipe
(torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

OBJECT_CHOICES = ("digits", "fashion", "both")  # core.scenes.OBJECT_SETS

SPEC = LabSpec(
    id="detection",
    title="Object detection",
    topic="Vision",
    icon="🎯",
    order=142,  # after the other vision labs
    summary="Train a small one-stage detector live on real objects pasted onto real photos: its "
    "boxes, classes and scores on held-out scenes, on a scene you lay out and on your own photo.",
    theory=read_theory(__file__),
    params=(
        Param(
            "objects",
            "choice",
            "digits",
            "What is pasted onto the photos: handwritten digits (MNIST), clothing (Fashion-MNIST) "
            "or both (20 classes).",
            choices=OBJECT_CHOICES,
        ),
        Param(
            "train_scenes",
            "int",
            6000,
            "Training scenes per epoch (made from the scene seed, about 1.5 s per 1,000).",
            low=100,
            high=20_000,
            step=100,
        ),
        Param(
            "fresh_scenes",
            "bool",
            True,
            "Make new training scenes every epoch (the same training objects, new places, sizes, "
            "colours and crops); off: the same scenes every epoch.",
            label="New scenes every epoch",
        ),
        Param("max_objects", "int", 3, "Most objects pasted into one scene.", low=1, high=5),
        Param(
            "scene_seed",
            "int",
            0,
            "Which scenes: the same seed makes the same training and held-out scenes.",
            low=0,
            high=2**31 - 1,
        ),
        Param(
            "width",
            "int",
            32,
            "Channels of the detector's grid layers: wider sees more, trains slower.",
            low=8,
            high=128,
            step=8,
        ),
        Param.epochs(8, 100),
        Param.batch_size(32, low=4, high=512),
        learning_rate_param(3e-3, "Peak step size of AdamW.", high=1.0),
        Param.schedule(
            ("cosine", "constant"),
            "cosine: short warm-up, then decay to zero by the end (of the epochs, or of a time "
            "or step limit if one comes first); constant: keep it fixed.",
        ),
        SEED,
    ),
)
