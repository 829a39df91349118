"""The imbalanced data lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.labs.house_prices.spec import clean_hidden
from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

# The models trained side by side, one per way of handling the imbalance, in this order.
METHODS = ("plain", "weights", "under", "over", "smote")
METHOD_NAMES = {
    "plain": "plain",
    "weights": "class weights",
    "under": "undersampling",
    "over": "oversampling",
    "smote": "SMOTE",
}
TRAIN_DEFAULTS = 266  # defaults among the 8,000 training customers (stratified split, seed 2024)
MIN_KEPT = 0.02  # a share of them that still leaves a few (5) for SMOTE's neighbours

SPEC = LabSpec(
    id="imbalanced",
    title="Imbalanced data: credit defaults",
    topic="Tabular data",
    icon="⚖️",
    order=7,
    summary="Predict which credit-card holders default (3.3% do) with plain training, class "
    "weights, undersampling, oversampling and SMOTE side by side, and see why 97% accuracy can "
    "mean catching no one.",
    theory=read_theory(__file__),
    params=(
        Param(
            "methods",
            "multichoice",
            list(METHODS),
            "The models to train side by side, one per way of handling the imbalance: plain (none), "
            "class weights in the loss, undersampling the payers, oversampling the defaulters, SMOTE "
            "(synthetic defaulters).",
            choices=METHODS,
        ),
        Param(
            "defaults_kept",
            "float",
            1.0,
            "Share of the 266 training defaulters kept: below 1 the training data gets even more "
            "imbalanced (0.25 keeps 66, 0.8% of the customers). The held-out customers are never "
            "changed.",
            label="Defaulters kept in training",
            low=MIN_KEPT,
            high=1.0,
            step=0.01,
        ),
        Param(
            "epochs",
            "int",
            20,
            "Passes over the 8,000 training customers (each model takes as "
            "many steps as the plain one, whatever the size of its resampled set).",
            low=1,
            high=200,
        ),
        Param(
            "batch_size", "int", 128, "Customers per optimisation step (the course: 64).", low=8, high=2048
        ),
        learning_rate_param(2e-3, "Step size of Adam (the course: 0.001)."),
        Param(
            "hidden_sizes",
            "text",
            "32, 16",
            "Widths of the hidden layers (the course: 16, 8); none: logistic regression.",
            check=clean_hidden,
            lines=1,
        ),
        Param(
            "smote_neighbours",
            "int",
            5,
            "SMOTE draws each synthetic defaulter between a defaulter and one of its k nearest "
            "defaulting neighbours.",
            label="SMOTE neighbours (k)",
            low=1,
            high=20,
        ),
        SEED,
    ),
)
