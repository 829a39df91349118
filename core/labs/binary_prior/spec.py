"""The prior lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

BINARY_PRIOR_MODELS = ("lstm", "denoise-fc")

SPEC = LabSpec(
    id="binary-prior",
    title="Autoregressive prior over binary codes",
    topic="Sequence models",
    icon="🎲",
    order=110,
    summary="An LSTM learns the 48-bit codes of digits bit by bit, then dreams up codes of its own.",
    theory=read_theory(__file__),
    params=(
        Param(
            "model",
            "choice",
            "lstm",
            "lstm: next-bit prediction, embedding + 2-layer LSTM, hidden 128 (default); "
            "denoise-fc: the course's 12-block fully connected code denoiser.",
            choices=BINARY_PRIOR_MODELS,
        ),
        Param(
            "digits",
            "int",
            128,
            "How many training digits' codes to learn (the first of the autoencoder's; the "
            "course's: 128 for the LSTM, 64 for denoise-fc).",
            label="Codes to learn",
            low=8,
            high=2048,
        ),
        Param.epochs(300, 5000, "Passes over the codes."),
        Param.batch_size(
            128,
            "Codes per optimisation step. denoise-fc needs several steps per epoch: with 64 codes, "
            "16 memorised 96% where 128 (one step per epoch) memorised 11%.",
        ),
        learning_rate_param(5e-3, "Peak step size of Adam (the course's: 0.001)."),
        Param.share(
            "noise",
            0.05,
            "denoise-fc only: share of bits flipped in the training inputs (the course's: 0.05).",
            high=0.5,
            step=0.01,
        ),
        Param(
            "temperature",
            "float",
            1.0,
            "Sampling temperature used to score the memorisation rate while training.",
            low=0.0,
            high=10.0,
            step=0.05,
        ),
        SEED,
    ),
)
