"""The text Transformer lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="text-transformer",
    title="A Transformer for text classification",
    topic="Text",
    icon="🔎",
    order=150,
    summary="A small Transformer encoder, trained from scratch on the food reviews: its verdict, "
    "every layer's and head's attention on a review you type, and the LSTM and GRU beside it.",
    theory=read_theory(__file__),
    params=(
        Param("d_model", "int", 64, "Width of every token's vector.", label="Width", low=8, high=512),
        Param("heads", "int", 4, "Attention heads per layer (they must divide the width).", low=1, high=16),
        Param("layers", "int", 2, "Encoder blocks, each attention then an MLP.", low=1, high=8),
        Param(
            "pooling",
            "choice",
            "cls",
            "What the classifier reads: the [CLS] token's final vector, or the mean of the review's.",
            choices=("cls", "mean"),
        ),
        Param.share("dropout", 0.1, "Share of activations and attention weights zeroed while training.", 0.8),
        Param.epochs(10, 60, "Passes over the 4,000 training reviews."),
        Param.batch_size(32, "Reviews per optimisation step.", low=4, high=512),
        learning_rate_param(1e-3, "Peak step size of AdamW."),
        Param.one_cycle(),
        Param(
            "vocab_size",
            "int",
            8000,
            "Most words the tokenizer keeps (those seen at least twice in training; the rest become [UNK]).",
            label="Vocabulary size",
            low=200,
            high=20000,
        ),
        Param(
            "max_tokens",
            "int",
            256,
            "Words and punctuation marks read per review: longer training reviews are cut there.",
            label="Longest review read",
            low=16,
            high=1000,
        ),
        SEED,
    ),
)
