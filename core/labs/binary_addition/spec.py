"""The binary addition lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="binary-addition",
    title="Binary addition with an LSTM",
    topic="Sequence models",
    icon="➕",
    order=90,
    summary="Teach an LSTM to carry bits and test it on longer numbers.",
    theory=read_theory(__file__),
    params=(
        Param(
            "train_length",
            "int",
            5,
            "Bits of each number while training (the course's: 5).",
            low=1,
            high=12,
        ),
        Param(
            "hidden_size",
            "int",
            5,
            "Hidden units of the LSTM (the course's: 5). With 8 it learns 5 bits as fast but gets "
            "about 15% of 20-bit sums wrong: more room, more ways to fit the training length only.",
            low=1,
            high=128,
        ),
        Param(
            "steps",
            "int",
            1_500,
            "Step limit; training stops sooner once every held-out sum at the training length is right.",
            low=10,
            high=20_000,
        ),
        Param.batch_size(64, "Pairs of numbers per step, drawn afresh (the course's: 1).", low=1),
        learning_rate_param(1e-2, "Adam step size (the course's: 0.01)."),
        Param(
            "loss",
            "choice",
            "bce",
            "bce: binary cross-entropy of each sum bit; mse: the squared error the course used.",
            choices=("bce", "mse"),
        ),
        Param(
            "early_stop",
            "bool",
            False,
            "Stop as soon as every held-out sum at the training length is right (the course's "
            "criterion). Off: use every step; the extra training carries the rule to longer numbers.",
        ),
        SEED,
    ),
)
