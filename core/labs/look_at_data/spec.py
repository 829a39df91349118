"""The look-at-data lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

# The course's Lab Work 1 recipe: Adam at 1e-4, batches of 64, 10 epochs, dropout 0.2.
COURSE_RECIPE = {"learning_rate": 1e-4, "batch_size": 64, "epochs": 10, "dropout": 0.2}

SPEC = LabSpec(
    id="look-at-data",
    title="Look at the data",
    topic="Training dynamics",
    icon="🔍",
    order=3.1,  # the first lab of its topic: look before you train
    summary="Explore MNIST and Fashion-MNIST before training anything: class counts, every class "
    "browsed, mean and spread images, pixel statistics, a 2-D map of the set (PCA or t-SNE), the "
    "nearest neighbours of a drawing; then train the course's MLP and see its mistakes on the map.",
    theory=read_theory(__file__),
    params=(
        Param.dataset(),
        Param.epochs(5, 30, "Passes over the training images (the course: 10)."),
        Param.batch_size(64, "Images per optimisation step (the course: 64)."),
        learning_rate_param(
            1e-3, "Adam's step size (the course: 0.0001, which needs its 10 epochs). Try 1 to see it fail."
        ),
        Param.share(
            "dropout", 0.2, "Share of hidden units zeroed while training (the course: 0.2).", high=0.8
        ),
        SEED,
    ),
)
