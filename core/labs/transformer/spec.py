"""The Transformer lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="transformer",
    title="Transformer translator",
    topic="Attention and translation",
    icon="🔤",
    summary="Train an encoder-decoder Transformer on English→French live, then translate and "
    "read its cross-attention per layer and head.",
    order=120,
    theory=read_theory(__file__),
    params=(
        Param(
            "corpus",
            "choice",
            "tatoeba",
            "tatoeba: 66,000 real short English-French pairs (Tatoeba Project, shipped with the app): "
            "a model that translates everyday sentences you type, scored against every correct "
            "translation. generated: the project's grammar, a few hundred words with one translation "
            "each: the clearest view of reordering (adjective after the noun, pronoun before the "
            "verb) and agreement in the attention maps, and BLEU near 100 in minutes.",
            choices=("tatoeba", "generated"),
        ),
        Param(
            "corpus_size",
            "int",
            70_000,
            "Training sentence pairs (at most: Tatoeba has 66,210). The held-out sentences are "
            "fixed and never trained on.",
            low=500,
            high=100_000,
        ),
        Param("layers", "int", 2, "Encoder layers, and as many decoder layers (course: 3).", low=1, high=6),
        Param("heads", "int", 4, "Attention heads; must divide the model width (course: 4).", low=1, high=16),
        Param(
            "d_model",
            "int",
            128,
            "Model width: size of every word vector (course: 256).",
            label="Model width (d_model)",
            low=16,
            high=512,
            step=16,
        ),
        Param(
            "ff_size",
            "int",
            256,
            "Hidden size of each layer's feed-forward network (course: 2048, PyTorch's default).",
            label="Feed-forward size",
            low=32,
            high=4096,
        ),
        Param.share("dropout", 0.1, "Share of activations zeroed while training.", high=0.5),
        Param.epochs(1, 100, "Passes over the training pairs (Tatoeba: 518 steps each at 128 a batch)."),
        Param.batch_size(128, "Sentence pairs per step (the course: 1, one pair per step).", low=1, high=512),
        learning_rate_param(1e-3, "Peak step size of Adam (the course: 0.0005, constant)."),
        Param.schedule(
            ("warmup-cosine", "constant"),
            "warmup-cosine: rise linearly over the warm-up steps, then decay to 10% by the end; "
            "constant: the same rate throughout (the course).",
        ),
        Param("warmup_steps", "int", 200, "Steps of linear warm-up.", low=0, high=5_000),
        Param.share(
            "label_smoothing",
            0.1,
            "Share of each target's probability spread over the whole vocabulary (course: 0).",
            high=0.5,
        ),
        SEED,
    ),
)
