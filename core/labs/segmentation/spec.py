"""The segmentation lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.scene_settings import MAX_OBJECTS, SCENE_SEED, objects_param
from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="segmentation",
    title="UNet segmentation",
    topic="Vision",
    icon="🧩",
    order=143,  # after detection
    summary="Train a UNet live to mark, pixel by pixel, the objects pasted onto real photos, "
    "beside the same network without its skip connections.",
    theory=read_theory(__file__),
    params=(
        objects_param(),
        Param(
            "train_scenes",
            "int",
            4000,
            "Training scenes made (from the scene seed); about 1.5 s per 1,000 to make.",
            low=100,
            high=20_000,
            step=100,
        ),
        MAX_OBJECTS,
        SCENE_SEED,
        Param(
            "width",
            "int",
            8,
            "Channels of the first stage (doubled at each of the three below it).",
            low=4,
            high=64,
            step=4,
        ),
        Param(
            "compare",
            "bool",
            True,
            "Train the same network without skip connections beside the UNet, on the same "
            "batches (twice the time).",
            label="Also train without skips",
        ),
        Param.epochs(6, 100),
        Param.batch_size(32, low=4, high=512),
        learning_rate_param(3e-3, "Peak step size of AdamW.", high=1.0),
        Param.cosine(),
        SEED,
    ),
)
