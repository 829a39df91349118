"""The early-stopping lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, SpecError, learning_rate_param, read_theory

# What the stopping rule can watch: the validation digits' loss (lower is better) or accuracy
# (higher is better), as Keras's EarlyStopping(monitor="val_loss" | "val_accuracy").
MONITORS = {"validation_loss": "min", "validation_accuracy": "max"}
# Which epoch checkpoints stay on disk: every one (resume from any epoch, load any), or only the
# best and the last (what restoring and resuming need, like the Hugging Face Trainer's
# save_total_limit with load_best_model_at_end): two folders however long the training.
KEEP_CHOICES = ("every-epoch", "best-and-last")


MAX_PATH = 1000  # characters: longer is no folder a run would have


def clean_resume(text: str) -> str:
    """The folder to resume from, trimmed (empty: a fresh training). Only its form is checked
    here; the folder itself when the training is asked for (epochs.check_resume)."""
    cleaned = str(text).strip()
    if len(cleaned) > MAX_PATH or any(ord(character) < 32 for character in cleaned):
        raise SpecError(
            "Resume from: that is not a folder path (one line, at most 1,000 characters); copy "
            "one from the Checkpoints tab, or leave it empty for a fresh training."
        )
    return cleaned


SPEC = LabSpec(
    id="early-stopping",
    title="Early stopping and checkpoints",
    topic="Training dynamics",
    icon="⏱️",
    order=3.5,
    summary="An MLP that overfits 500 digits: stop when the validation loss stops improving "
    "(patience, min delta), go back to the best epoch, and keep a checkpoint of every epoch to "
    "list, load and resume from, even after the training was killed.",
    theory=read_theory(__file__),
    params=(
        Param(
            "train_digits",
            "int",
            500,
            "How many MNIST training digits the network learns from: few, so that it overfits "
            "within a few epochs.",
            low=50,
            high=8000,
        ),
        Param(
            "validation_digits",
            "int",
            500,
            "Other training digits kept apart to watch while training (the validation set). "
            "The 3,604 held-out digits are kept for the final figure.",
            low=50,
            high=4000,
        ),
        Param(
            "hidden", "int", 128, "Width of the MLP's hidden layer (784 -> hidden -> 10).", low=8, high=512
        ),
        Param.epochs(60, 300, "The most passes over the training digits (the course: 20)."),
        Param.batch_size(32, "Digits per optimisation step (the course: 32).", low=1, high=512),
        learning_rate_param(1e-3, "Adam's step size (the course: 0.001)."),
        Param(
            "early_stopping",
            "bool",
            True,
            "Stop when the monitored figure has not improved for `patience` epochs. Off: train "
            "every epoch, to see what stopping saved.",
        ),
        Param(
            "monitor",
            "choice",
            "validation_loss",
            "The figure the rule watches: the validation loss (lower is better; the course's) "
            "or the validation accuracy (higher is better).",
            choices=tuple(MONITORS),
        ),
        Param(
            "patience",
            "int",
            5,
            "Epochs without improvement to wait before stopping (the course: 5).",
            low=1,
            high=100,
        ),
        Param(
            "min_delta",
            "float",
            0.0,
            "The smallest change of the monitored figure that counts as an improvement (0: any "
            "change; 0.01 of a loss ignores the noise).",
            low=0.0,
            high=1.0,
            step=0.001,
        ),
        Param(
            "restore_best",
            "bool",
            True,
            "When the training ends, put back the weights of the epoch whose monitored figure "
            "was best (Keras's restore_best_weights). Off: keep the last epoch's.",
        ),
        Param(
            "keep_checkpoints",
            "choice",
            "every-epoch",
            "Which epoch checkpoints stay on disk: every-epoch, or best-and-last (two folders, "
            "all that restoring and resuming need).",
            choices=KEEP_CHOICES,
        ),
        Param(
            "resume_from",
            "text",
            "",
            "Empty: a fresh training. Or a run folder (resume from its last epoch) or one of its "
            "epoch folders (…/epochs/epoch-007), as the Checkpoints tab lists them.",
            lines=1,
            check=clean_resume,
        ),
        SEED,
    ),
)
