"""The regularisation lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, SpecError, learning_rate_param, read_theory

MAX_LAYERS, MAX_WIDTH = 4, 512
# The four copies of one MLP trained side by side; "plain" has no help against overfitting.
MODELS = ("plain", "l1", "l2", "dropout")
MODEL_NAMES = {"plain": "no regularisation", "l1": "L1", "l2": "L2", "dropout": "dropout"}


def hidden_layers(text: str) -> tuple[int, ...]:
    """ "128, 128" -> (128, 128); SpecError for anything else (an MLP needs a hidden layer here:
    with none it is logistic regression, the baseline)."""
    sizes = []
    for part in str(text).strip().lower().replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise SpecError(
                f"Hidden sizes: {part!r} is not a layer width; write whole numbers from 1 to "
                f"{MAX_WIDTH} separated by commas (e.g. 128, 128, 128)"
            )
        sizes.append(int(part))
    if not sizes:
        raise SpecError("Hidden sizes: give at least one hidden layer, e.g. 128, 128, 128")
    if len(sizes) > MAX_LAYERS:
        raise SpecError(f"Hidden sizes: at most {MAX_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


def clean_hidden(text: str) -> str:
    """The setting as it is stored: "128, 128, 128"."""
    return ", ".join(map(str, hidden_layers(text)))


SPEC = LabSpec(
    id="regularisation",
    title="Regularisation: L1, L2, dropout",
    topic="Tabular data",
    icon="🛟",
    order=6,
    summary="An over-sized MLP memorises Titanic passengers; the same MLP with L1, L2 or dropout, "
    "trained side by side on the same batches, keeps its held-out loss down.",
    theory=read_theory(__file__),
    params=(
        Param.epochs(80, 500, "Passes over the 1,047 training passengers."),
        Param.batch_size(64, "Passengers per optimisation step (the course: 32).", high=1047),
        learning_rate_param(3e-3, "Step size of Adam, the same for all four models (the course: 0.001)."),
        Param(
            "hidden_sizes",
            "text",
            "128, 128, 128",
            "Widths of the hidden layers: 128, 128, 128 is far more than 1,047 passengers and 8 "
            "inputs need, so the plain model can memorise them (the course: 64).",
            check=clean_hidden,
            lines=1,
        ),
        Param(
            "l1",
            "float",
            1e-4,
            "L1 strength λ: the L1 model's loss adds λ·Σ|w| over its weights (the course: 0.0005, "
            "biases included). 0 switches it off.",
            label="L1 strength",
            low=0.0,
            high=0.1,
        ),
        Param(
            "l2",
            "float",
            1e-3,
            "L2 strength λ: the L2 model's loss adds λ·Σw² over its weights (the course's Adam "
            "weight_decay 0.01 is λ = 0.005). 0 switches it off.",
            label="L2 strength",
            low=0.0,
            high=1.0,
        ),
        Param.share(
            "dropout",
            0.5,
            "Share of hidden units the dropout model zeroes at each step while training (the course: 0.3).",
            high=0.9,
            label="Dropout rate",
        ),
        SEED,
    ),
)
