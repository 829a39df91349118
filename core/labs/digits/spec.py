"""The Digits lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

DIGIT_ARCHITECTURES = ("fast-cnn", "cnn", "mlp")

SPEC = LabSpec(
    id="digits",
    title="Handwritten digits",
    topic="Classification",
    icon="✏️",
    order=0,
    summary="Train an MNIST classifier live, then draw digits and watch it decide.",
    theory=read_theory(__file__),
    params=(
        Param(
            "architecture",
            "choice",
            "fast-cnn",
            "fast-cnn: compact 16/32/64 CNN (fastest); "
            "cnn: the course's 32/64/128 CNN; mlp: the course's 784-256-128-64-10 MLP.",
            choices=DIGIT_ARCHITECTURES,
        ),
        Param.dataset(),
        Param.epochs(4, 30),
        Param.batch_size(128),
        learning_rate_param(3e-3, "Peak step size. Try 10 to see the loss blow up.", high=10.0),
        Param(
            "optimizer",
            "choice",
            "adamw",
            "AdamW, or SGD with momentum 0.9 (the course's).",
            choices=("adamw", "sgd"),
        ),
        Param.one_cycle(),
        Param.share("dropout", 0.2, "Share of units zeroed in the fully connected layers.", high=0.8),
        Param("weight_decay", "float", 1e-4, "L2 pull of the weights towards zero.", low=0.0, high=0.1),
        Param("augment", "bool", False, "Shift training digits by up to 2 pixels at random."),
        SEED,
    ),
)
