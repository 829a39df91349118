"""The binary autoencoder lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

BINARY_AE_ARCHITECTURES = ("fast", "course")

SPEC = LabSpec(
    id="binary-ae",
    title="Binary autoencoder",
    topic="Sequence models",
    icon="🔢",
    order=100,
    summary="Squeeze a digit into 48 bits, flip them one by one and watch the digit change.",
    theory=read_theory(__file__),
    params=(
        Param(
            "architecture",
            "choice",
            "fast",
            "fast: 16-32-64-channel convolutions, standardised codes, a wide first decoder layer "
            "(default, quick on a CPU); course: the course's 32-64-128-256-channel network (about "
            "38 s per epoch of 12,000 digits on a CPU).",
            choices=BINARY_AE_ARCHITECTURES,
        ),
        Param(
            "train_size",
            "int",
            1024,
            "How many training digits (the first of the training split) the model memorises.",
            label="Digits to memorise",
            low=64,
            high=60000,
        ),
        Param.epochs(100, 2000, "Passes over the digits to memorise."),
        Param.batch_size(32),
        learning_rate_param(3e-3, "Peak step size of Adam (the course's: 0.001)."),
        Param.schedule(
            ("cosine", "constant"),
            "cosine: short warm-up, then decay to zero by the end; constant: keep it fixed.",
        ),
        Param.share(
            "warmup",
            0.1,
            "Share of the training with real-valued codes before binarisation starts (the course: "
            "10 of 200 epochs, 0.05).",
            high=0.9,
            label="Warm-up share without binarisation",
        ),
        Param.share(
            "freeze_at",
            0.4,
            "Share of the training after which the encoder is frozen: the codes stop changing and "
            "the decoder memorises the digits for them. 1 never freezes it (the course).",
            label="Freeze the encoder after",
        ),
        Param(
            "loss",
            "choice",
            "l1",
            "l1: mean absolute error (the course's); mse: squared error.",
            choices=("l1", "mse"),
        ),
        Param(
            "push_weight",
            "float",
            1e-3,
            "Weight λ of the term that pushes codes away from 0 (the course's: 0.001).",
            label="Push-away weight λ",
            low=0.0,
            high=1.0,
        ),
        SEED,
    ),
)
