"""The gradient descent lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

# The three ways, by how many training digits each gradient averages over: all of them, a
# mini-batch, or one.
METHODS = ("batch", "mini-batch", "stochastic")
METHOD_NAMES = {"batch": "Batch GD", "mini-batch": "Mini-batch GD", "stochastic": "Stochastic GD"}
TRAINING_DIGITS = 12_000  # MNIST-12k's training split: the batch method's batch

SPEC = LabSpec(
    id="gradient-descent",
    title="Batch, mini-batch and stochastic gradient descent",
    topic="Training dynamics",
    icon="⛰️",
    order=3.2,
    summary="The same network from the same weights trained three ways: on every digit at once, "
    "on mini-batches, one digit at a time; the loss against epochs, updates and seconds.",
    theory=read_theory(__file__),
    params=(
        Param(
            "methods",
            "multichoice",
            METHODS,
            "Which ways to train, side by side on the same digits in the same order: batch (all "
            "12,000 digits per update), mini-batch, stochastic (one digit per update).",
            choices=METHODS,
        ),
        Param.batch_size(
            64,
            "Digits per update of the mini-batch run (batch GD always takes all 12,000, stochastic "
            "GD one; the course: 64).",
            low=2,
            high=1024,
        ),
        learning_rate_param(
            0.01,
            "Step size, the same for all three (the course: 0.01, with momentum 0.9). Above about 0.02 "
            "single digits push stochastic GD around too hard: at 0.05 it collapses to chance.",
            high=10.0,
        ),
        Param(
            "momentum",
            "float",
            0.0,
            "Momentum μ of all three (0: plain gradient descent; the course: 0.9).",
            low=0.0,
            high=0.99,
            step=0.01,
        ),
        Param.epochs(2, 20, "Passes over the 12,000 training digits (the course: 15)."),
        SEED,
    ),
)
