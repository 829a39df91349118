"""The optimisers lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, read_theory

# The six optimisers, in the order the lessons build them up: plain steps, a velocity, a look
# ahead, a step per coordinate, both together, and weight decay done apart from the gradient.
OPTIMISERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
OPTIMISER_NAMES = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
}
# Which learning rate each one takes: the plain-gradient family moves by lr x gradient, the
# adaptive ones by about lr per coordinate whatever the gradient's size, so one rate cannot suit
# both (the course's 0.001 for all three left SGD crawling).
SGD_FAMILY = ("sgd", "momentum", "nesterov")
ADAPTIVE = ("rmsprop", "adam", "adamw")


def sgd_rate(default: float, help: str) -> Param:
    return Param(
        "sgd_learning_rate", "float", default, help, label="SGD learning rate", low=1e-5, high=10.0, log=True
    )


def adaptive_rate(default: float, help: str) -> Param:
    return Param(
        "adaptive_learning_rate",
        "float",
        default,
        help,
        label="Adaptive learning rate",
        low=1e-5,
        high=10.0,
        log=True,
    )


def momentum_param(default: float) -> Param:
    return Param(
        "momentum",
        "float",
        default,
        "Momentum μ of the momentum and Nesterov runs: the share of the last step kept in the "
        "next (0: plain SGD; 0.9 is usual). Adam keeps its own, β1 = 0.9.",
        low=0.0,
        high=0.999,
        step=0.01,
    )


def weight_decay_param(default: float) -> Param:
    return Param(
        "weight_decay",
        "float",
        default,
        "AdamW's decoupled weight decay λ: every step shrinks the weights by lr·λ of themselves, "
        "apart from the gradient (0: AdamW is Adam).",
        low=0.0,
        high=1.0,
    )


SPEC = LabSpec(
    id="optimisers",
    title="Optimisers: SGD, momentum, Adam",
    topic="Training dynamics",
    icon="🧭",
    order=3.3,
    summary="SGD, momentum, Nesterov, RMSProp, Adam and AdamW: their paths on 2-D loss surfaces "
    "in milliseconds, and the same network trained by each from the same starting weights.",
    theory=read_theory(__file__),
    params=(
        Param(
            "optimisers",
            "multichoice",
            OPTIMISERS,
            "Which optimisers train a copy of the network, side by side on the same batches from "
            "the same starting weights: sgd, momentum, nesterov, rmsprop, adam, adamw.",
            choices=OPTIMISERS,
        ),
        Param.epochs(5, 50, "Passes over the 12,000 training digits (the course: 5)."),
        Param.batch_size(64, "Digits per optimisation step (the course: 4, on CIFAR-10).", low=1),
        sgd_rate(0.05, "Step size of SGD, momentum and Nesterov (the course: 0.001 for every optimiser)."),
        adaptive_rate(1e-3, "Step size of RMSProp, Adam and AdamW (the course: 0.001)."),
        momentum_param(0.9),
        weight_decay_param(0.01),
        SEED,
    ),
)
