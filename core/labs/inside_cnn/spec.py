"""The inside-cnn lab's spec: its place in the catalogue and its one setting (torch-free)."""

from core.specs import SEED, LabSpec, Param, read_theory

SPEC = LabSpec(
    id="inside-cnn",
    title="Inside a real CNN",
    topic="Vision",
    icon="🔬",
    order=140,
    summary="Look inside EfficientNet-Lite0, a real ImageNet-trained network: its top-5 guesses for "
    "a photo, its first filters, the feature maps of every stage, and where it looked (Grad-CAM, "
    "occlusion, integrated gradients).",
    theory=read_theory(__file__),
    params=(
        Param(
            "image_size",
            "int",
            224,
            "Side of the square the network sees, in pixels. It was trained at 224; smaller is "
            "faster and coarser, larger shows finer maps.",
            label="Input size (pixels)",
            low=128,
            high=320,
            step=32,
        ),
        SEED,
    ),
)
