"""The attention lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

TASKS = ("reverse", "copy")

SPEC = LabSpec(
    id="attention",
    title="Attention explorer",
    topic="Attention and translation",
    icon="🔦",
    order=60,
    summary="Type two sentences and read the scaled dot-product attention between them; "
    "then train a tiny attention model and watch its weights sharpen.",
    theory=read_theory(__file__),
    params=(
        Param(
            "task",
            "choice",
            "reverse",
            "What the toy model learns to do with a digit string: reverse it or copy it.",
            choices=TASKS,
        ),
        Param("max_length", "int", 8, "Longest digit string (lengths 2 to this).", low=3, high=16),
        Param.epochs(4, 50, "Rounds of 100 batches of fresh random strings."),
        Param.batch_size(64, "Strings per optimisation step.", high=512),
        learning_rate_param(3e-3, "Adam's step size. Try 1 to see the loss blow up.", high=10.0),
        Param(
            "dim",
            "int",
            32,
            "Size of the query, key and value vectors.",
            label="Vector size",
            low=8,
            high=128,
        ),
        SEED,
    ),
)
