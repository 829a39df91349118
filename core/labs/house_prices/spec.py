"""The house prices lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, SpecError, learning_rate_param, read_theory

MAX_LAYERS, MAX_WIDTH = 4, 1024
LOSSES = ("mse", "mae")  # the two models, trained side by side
LOSS_NAMES = {"mse": "MSE model", "mae": "MAE model"}


def hidden_layers(text: str) -> tuple[int, ...]:
    """ "128, 64" -> (128, 64); "none" (or empty) -> () for a linear model; SpecError otherwise."""
    cleaned = str(text).strip().lower()
    if cleaned in ("", "none", "0", "linear"):
        return ()
    sizes = []
    for part in cleaned.replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise SpecError(
                f"Hidden sizes: {part!r} is not a layer width; write whole numbers from 1 to "
                f"{MAX_WIDTH} separated by commas (e.g. 128, 64), or none for a linear model"
            )
        sizes.append(int(part))
    if len(sizes) > MAX_LAYERS:
        raise SpecError(f"Hidden sizes: at most {MAX_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


def clean_hidden(text: str) -> str:
    """The setting as it is stored: "128, 64", or "none"."""
    sizes = hidden_layers(text)
    return ", ".join(map(str, sizes)) if sizes else "none"


SPEC = LabSpec(
    id="house-prices",
    title="House prices: MSE vs MAE",
    topic="Tabular data",
    icon="🏠",
    order=5,
    summary="Predict Ames house prices with two MLPs, one trained on squared errors and one on "
    "absolute errors, beside linear regression and gradient boosting.",
    theory=read_theory(__file__),
    params=(
        Param("epochs", "int", 60, "Passes over the 2,344 training houses.", low=1, high=500),
        Param(
            "batch_size",
            "int",
            64,
            "Houses per optimisation step; 4096 is the whole training split at once (the course's "
            "full batch).",
            low=8,
            high=4096,
        ),
        learning_rate_param(2e-3, "Peak step size of AdamW (the course used Adam at 0.01)."),
        Param(
            "schedule",
            "choice",
            "cosine",
            "cosine: decay the learning rate to zero over the training; constant: keep it (the course).",
            choices=("cosine", "constant"),
        ),
        Param(
            "hidden_sizes",
            "text",
            "256, 128",
            "Widths of the hidden layers, e.g. 256, 128 (the course's theory: 128, 64); none: a linear "
            "model (the course's code).",
            check=clean_hidden,
            lines=1,
        ),
        Param(
            "dropout",
            "float",
            0.1,
            "Share of hidden units zeroed while training.",
            low=0.0,
            high=0.8,
            step=0.05,
        ),
        Param(
            "weight_decay", "float", 1e-4, "L2 pull of the weights towards zero (AdamW).", low=0.0, high=1.0
        ),
        Param(
            "log_target",
            "bool",
            True,
            "Learn log(price) instead of the price: errors become relative (10% of a cheap house "
            "weighs as much as 10% of a dear one).",
            label="Predict log price",
        ),
        Param(
            "outliers",
            "int",
            0,
            "Training houses whose price is replaced by an extreme one (their price times the factor "
            "below), as typing errors would: watch which model they pull.",
            label="Extreme prices added",
            low=0,
            high=500,
        ),
        Param(
            "outlier_factor",
            "float",
            10.0,
            "What the extreme prices are: the house's real price times this.",
            label="Extreme price factor",
            low=1.0,
            high=100.0,
        ),
        SEED,
    ),
)
