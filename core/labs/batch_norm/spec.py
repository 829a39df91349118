"""The batch-norm lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

# The four combinations, each one copy of the course's CNN trained side by side: neither, batch
# norm only, augmentation only, both.
COMBINATIONS = ("plain", "bn", "augment", "both")
COMBINATION_NAMES = {
    "plain": "Plain",
    "bn": "Batch norm",
    "augment": "Augmentation",
    "both": "Batch norm + augmentation",
}
WITH_BATCH_NORM = ("bn", "both")
WITH_AUGMENTATION = ("augment", "both")
TRAINING_PICTURES = 60_000  # Fashion-MNIST's official training split
TEST_PICTURES = 10_000  # ... and its official test split

SPEC = LabSpec(
    id="batch-norm",
    title="Batch norm and data augmentation",
    topic="Training dynamics",
    icon="📐",
    order=3.4,
    summary="The course's CNN on Fashion-MNIST four ways from the same weights and the same "
    "batches: plain, with batch norm, with augmented pictures, with both. Held-out curves, the "
    "augmented pictures, each layer's activations, and the largest learning rate each survives.",
    theory=read_theory(__file__),
    params=(
        Param(
            "combinations",
            "multichoice",
            COMBINATIONS,
            "Which copies to train, side by side on the same batches from the same weights: plain, "
            "bn (batch norm after each layer), augment (flipped and shifted pictures), both.",
            choices=COMBINATIONS,
        ),
        Param.epochs(3, 30, "Passes over the training pictures (the course: 10, on CIFAR-10)."),
        Param.batch_size(128, "Pictures per step, the same batch for every copy (the course: 64).", low=8),
        learning_rate_param(
            0.1,
            "Peak step size of SGD with momentum 0.9, the same for every copy (the course: 0.01). "
            "Batch norm lets a network take larger steps: try 0.5 and watch the plain copy.",
            high=10.0,
        ),
        Param.one_cycle(" (the course: constant)"),
        Param(
            "flip",
            "bool",
            True,
            "Augmentation: mirror each picture left to right with probability ½ (the course's "
            "RandomHorizontalFlip; a shirt mirrored is still a shirt).",
            label="Random flip",
        ),
        Param(
            "shift",
            "int",
            2,
            "Augmentation: move each picture by up to this many pixels each way, the gap filled "
            "with black (the course's RandomCrop with padding 4, on 32-pixel pictures; 0: no shift).",
            label="Random shift (pixels)",
            low=0,
            high=6,
        ),
        Param(
            "width",
            "int",
            32,
            "Channels of the first convolution (the second has twice as many; the course: 32).",
            low=4,
            high=64,
        ),
        Param(
            "train_pictures",
            "int",
            TRAINING_PICTURES,
            "Fashion-MNIST training pictures used (the first of the 60,000): fewer make an epoch "
            "shorter and the augmentation's effect larger.",
            label="Training pictures",
            low=1_000,
            high=TRAINING_PICTURES,
            step=1_000,
        ),
        Param(
            "test_pictures",
            "int",
            TEST_PICTURES,
            "Fashion-MNIST test pictures every copy is scored on (the first of the official 10,000; "
            "fewer make each epoch's end quicker).",
            label="Test pictures",
            low=500,
            high=TEST_PICTURES,
            step=500,
        ),
        Param(
            "sweep_steps",
            "int",
            30,
            "Before training: steps of the learning-rate sweep that finds the largest stable rate "
            "of the plain and the batch-norm network (0: no sweep).",
            label="Sweep: steps per rate",
            low=0,
            high=200,
        ),
        SEED,
    ),
)
