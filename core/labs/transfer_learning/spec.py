"""The transfer-learning lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

# Fashion-MNIST's ten classes in label order (core.data.FASHION_CLASSES, which imports torch; a
# test checks they agree), and the six the lab starts with (core.image_classes.FASHION_PICKS).
GARMENTS = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
PICKS = ("T-shirt/top", "Trouser", "Pullover", "Sneaker", "Bag", "Ankle boot")

SPEC = LabSpec(
    id="transfer-learning",
    title="Transfer learning on your own classes",
    topic="Vision",
    icon="🎯",
    order=142,  # after cnn-architectures
    summary="Teach a real ImageNet network (EfficientNet-Lite0) your own 2 to 6 classes from a few "
    "photos each: a new head on frozen features in seconds, then its last stages fine-tuned, "
    "against the same network trained from scratch.",
    theory=read_theory(__file__),
    params=(
        Param(
            "classes",
            "multichoice",
            PICKS,
            "The default custom dataset: which Fashion-MNIST garments are the classes (2 to 6), as "
            "colour pictures. Your own classes are made in the 'Your classes' tab.",
            choices=GARMENTS,
        ),
        Param(
            "images_per_class",
            "int",
            30,
            "Training pictures per class: transfer learning's point is that a few are enough.",
            label="Pictures per class",
            low=5,
            high=100,
        ),
        Param(
            "image_size",
            "int",
            96,
            "Side of the square the network sees, in pixels (it was trained at 224; 96 is 5x "
            "cheaper and plenty for 28-pixel garments).",
            label="Input size (pixels)",
            low=64,
            high=224,
            step=32,
        ),
        Param(
            "head_epochs",
            "int",
            30,
            "Passes of the new head over the kept features (phase 1): each costs milliseconds.",
            label="Head epochs",
            low=1,
            high=200,
        ),
        Param(
            "fine_tune_epochs",
            "int",
            5,
            "Passes with the last stages unfrozen (phase 2; the course's 5). 0 keeps the frozen model.",
            label="Fine-tuning epochs",
            low=0,
            high=50,
        ),
        Param(
            "unfrozen",
            "int",
            2,
            "How many of the network's last 7 stages learn in phase 2 (the course unfroze the last "
            "two of ResNet18's four).",
            label="Stages unfrozen",
            low=1,
            high=4,
        ),
        learning_rate_param(1e-3, "The head's Adam step size (the course's 0.001)."),
        Param(
            "fine_tune_rate",
            "float",
            1e-4,
            "The unfrozen stages' step size in phase 2: ten times smaller than the head's, so "
            "ImageNet's features are adjusted, not overwritten.",
            label="Fine-tuning rate",
            low=1e-6,
            high=1e-2,
            log=True,
        ),
        Param.batch_size(32, low=4, high=256),
        Param(
            "scratch_seconds",
            "int",
            20,
            "Seconds of training for the same network from random weights, the baseline (0: skip it).",
            label="From-scratch seconds",
            low=0,
            high=600,
        ),
        SEED,
    ),
)
