"""The seq2seq lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="seq2seq",
    title="Seq2seq with attention",
    topic="Attention and translation",
    icon="🔁",
    order=70,
    summary="Translate English to French with a recurrent encoder-decoder, trained with and without "
    "attention side by side; read the alignment behind every translation.",
    theory=read_theory(__file__),
    params=(
        Param(
            "cell",
            "choice",
            "gru",
            "Recurrent cell of encoder and decoder (the course used an LSTM).",
            choices=("gru", "lstm"),
        ),
        Param(
            "attention",
            "choice",
            "additive",
            "Score of the attention model: additive (Bahdanau) or scaled dot product (Luong).",
            choices=("additive", "dot"),
        ),
        Param.share(
            "teacher_forcing",
            1.0,
            "Share of training steps fed the true previous word rather than the model's guess "
            "(the course used 0.5).",
        ),
        Param(
            "corpus",
            "choice",
            "tatoeba",
            "tatoeba: 66,000 real short English-French pairs (Tatoeba Project, shipped with the app): "
            "models that translate everyday sentences you type, scored against every correct "
            "translation. generated: the project's grammar, a few hundred words with one translation "
            "each and sentences up to 15 words: the clearest view of reordering and agreement in the "
            "alignment, and of what one final state loses on long sentences.",
            choices=("tatoeba", "generated"),
        ),
        Param(
            "corpus_size",
            "int",
            20_000,
            "Training pairs (Tatoeba has 66,210; the bundled models learnt from all of them).",
            low=200,
            high=100_000,
        ),
        Param.epochs(2, 50, "Passes over the training pairs."),
        Param.batch_size(128, "Sentence pairs per step.", high=512),
        learning_rate_param(3e-3, "Adam's step size, the same for both models."),
        Param("embedding", "int", 64, "Size of the word embeddings.", low=8, high=256),
        Param("hidden", "int", 128, "Size of the recurrent states.", low=16, high=512),
        SEED,
    ),
)
