"""The detection lab's spec: its place in the catalogue, its settings and the course's recipe
(torch-free)."""

from core.scene_settings import MAX_OBJECTS, SCENE_SEED, objects_param
from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

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
        objects_param(" (20 classes)"),
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
        MAX_OBJECTS,
        SCENE_SEED,
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
        Param.cosine(),
        SEED,
    ),
)
