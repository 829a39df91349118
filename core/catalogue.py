"""The catalogue: every lab's spec, ready or planned, grouped by topic.

Specs are data (titles, theory, hyperparameters), so they live here, away from the models:
this module imports no torch, which lets the home page show the whole catalogue in a moment.
A lab's code (core/labs/<id>.py) takes its spec from here and is imported only when the lab is
opened (see core.registry).
"""

from __future__ import annotations

from core.specs import LabSpec, Param

DIGIT_ARCHITECTURES = ("fast-cnn", "cnn", "mlp")

DIGITS_THEORY = r"""
A classifier maps an image $x$ to ten scores (logits) $z = f_\theta(x)$; the softmax turns them
into probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$. Training minimises the cross-entropy
$\mathcal{L} = -\log p_y$ of the true digit $y$, averaged over a mini-batch, by gradient steps
$\theta \leftarrow \theta - \eta \nabla_\theta \mathcal{L}$ (AdamW adds momentum, a per-weight
step size and weight decay).

A **convolution** slides a small filter over the image, $h_{ij} = \sum_{u,v} w_{uv}\,x_{i+u,j+v} + b$,
so the same edge or stroke detector is used everywhere; pooling halves the resolution, and
deeper layers combine strokes into parts of digits. An **MLP** instead gives every pixel its own
weight, so it must learn each stroke at each position. **Batch norm** rescales each channel to
zero mean and unit variance over the batch, which lets larger learning rates work; **dropout**
zeroes random units while training so the network cannot lean on any single one.

Watch the held-out curve, not just the training one: the gap between them is overfitting.
Data note: MNIST-12k/3.6k (used in class and CI) is 12,000 training and 3,604 *separate*
held-out digits; accuracy on the training images would flatter the model.
"""

DIGITS = LabSpec(
    id="digits",
    title="Handwritten digits",
    topic="Classification",
    icon="✏️",
    summary="Train an MNIST classifier live, then draw digits and watch it decide.",
    theory=DIGITS_THEORY,
    params=(
        Param(
            "architecture",
            "choice",
            "fast-cnn",
            "fast-cnn: compact 16/32/64 CNN (fastest); "
            "cnn: the course's 32/64/128 CNN; mlp: the course's 784-256-128-64-10 MLP.",
            choices=DIGIT_ARCHITECTURES,
        ),
        Param(
            "dataset",
            "choice",
            "mnist",
            "Handwritten digits, or Fashion-MNIST clothing.",
            choices=("mnist", "fashion-mnist"),
        ),
        Param("epochs", "int", 4, "Passes over the training set.", low=1, high=30),
        Param("batch_size", "int", 128, "Images per optimisation step.", low=8, high=1024),
        Param(
            "learning_rate",
            "float",
            3e-3,
            "Peak step size. Try 10 to see the loss blow up.",
            low=1e-5,
            high=10.0,
            log=True,
        ),
        Param(
            "optimizer",
            "choice",
            "adamw",
            "AdamW, or SGD with momentum 0.9 (the course's).",
            choices=("adamw", "sgd"),
        ),
        Param(
            "schedule",
            "choice",
            "one-cycle",
            "one-cycle: warm up then anneal the learning rate; constant: keep it fixed.",
            choices=("one-cycle", "constant"),
        ),
        Param(
            "dropout",
            "float",
            0.2,
            "Share of units zeroed in the fully connected layers.",
            low=0.0,
            high=0.8,
            step=0.05,
        ),
        Param("weight_decay", "float", 1e-4, "L2 pull of the weights towards zero.", low=0.0, high=0.1),
        Param("augment", "bool", False, "Shift training digits by up to 2 pixels at random."),
        Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1),
    ),
)

# Labs from the course that are on the way; the home page lists them so a teacher sees the plan.
PLANNED: tuple[LabSpec, ...] = (
    LabSpec(
        "gan",
        "GAN and latent interpolation",
        "Generative models",
        "Train a GAN on digits and walk between two latent points.",
        status="planned",
    ),
    LabSpec(
        "vae",
        "Variational autoencoder",
        "Generative models",
        "Map digits to a 2-D latent plane and decode any point of it.",
        status="planned",
    ),
    LabSpec(
        "denoise",
        "Denoising autoencoder",
        "Generative models",
        "Add noise to a digit and watch a conv autoencoder remove it.",
        status="planned",
    ),
    LabSpec(
        "binary-ae",
        "Binary autoencoder and autoregressive prior",
        "Sequence models",
        "Squeeze a digit into 48 bits, then let an LSTM dream up new codes.",
        status="planned",
    ),
    LabSpec(
        "palindromes",
        "Palindromes: RNN vs LSTM",
        "Sequence models",
        "See why gates let an LSTM remember what a plain RNN forgets.",
        status="planned",
    ),
    LabSpec(
        "binary-addition",
        "Binary addition with an LSTM",
        "Sequence models",
        "Teach an LSTM to carry bits and test it on longer numbers.",
        status="planned",
    ),
    LabSpec(
        "mnist-rows",
        "MNIST row by row: the RNN family",
        "Sequence models",
        "Read a digit one row at a time with RNN, LSTM and GRU.",
        status="planned",
    ),
    LabSpec(
        "charlstm",
        "Character-level text model",
        "Sequence models",
        "Memorise sentences character by character and generate from a prompt.",
        status="planned",
    ),
    LabSpec(
        "attention",
        "Attention explorer",
        "Attention and translation",
        "Type two sentences and read the scaled dot-product attention between them.",
        status="planned",
    ),
    LabSpec(
        "seq2seq",
        "Seq2seq with attention",
        "Attention and translation",
        "Translate with a GRU encoder-decoder, with and without attention.",
        status="planned",
    ),
    LabSpec(
        "transformer",
        "Transformer translator",
        "Attention and translation",
        "Train an encoder-decoder Transformer and read its cross-attention.",
        status="planned",
    ),
)

READY: tuple[LabSpec, ...] = (DIGITS,)


def catalogue() -> dict[str, list[LabSpec]]:
    """All labs, ready first, grouped by topic in a stable order."""
    topics: dict[str, list[LabSpec]] = {}
    for spec in READY + PLANNED:
        topics.setdefault(spec.topic, []).append(spec)
    return topics
