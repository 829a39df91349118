"""The sentiment lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

READER_MODELS = ("lstm", "gru")
MODEL_NAMES = {"lstm": "LSTM", "gru": "GRU"}

SPEC = LabSpec(
    id="sentiment",
    title="Sentiment: LSTM against GRU",
    topic="Text",
    icon="💬",
    order=140,
    summary="Read Amazon food reviews with an LSTM and a GRU trained side by side, beside TF-IDF "
    "and logistic regression; see which words pushed each verdict.",
    theory=read_theory(__file__),
    params=(
        Param(
            "models",
            "multichoice",
            READER_MODELS,
            "Which readers to train side by side, each on the same batches: lstm, gru.",
            choices=READER_MODELS,
        ),
        Param("embedding_dim", "int", 64, "Length of each word's vector (the course: 100).", low=8, high=300),
        Param("hidden_size", "int", 128, "Units in the recurrent hidden state.", low=8, high=512),
        Param.share(
            "dropout", 0.3, "Share of the embedding and of the final state zeroed while training.", 0.8
        ),
        Param.epochs(8, 40, "Passes over the 4,000 training reviews (the course made 10)."),
        Param.batch_size(32, "Reviews per optimisation step (the course used 32).", low=4, high=512),
        learning_rate_param(2e-3, "Step size of Adam (the course used 0.001)."),
        Param(
            "clip",
            "float",
            1.0,
            "Largest gradient norm allowed per step (0: no clipping, as in the course).",
            label="Gradient clipping",
            low=0.0,
            high=10.0,
            step=0.1,
        ),
        Param(
            "vocab_size",
            "int",
            8000,
            "Most words the tokenizer keeps (those seen at least twice in training; the rest "
            "become [UNK]). The course kept 10,000.",
            label="Vocabulary size",
            low=200,
            high=20000,
        ),
        Param(
            "max_tokens",
            "int",
            256,
            "Words and punctuation marks read per review: longer training reviews are cut there "
            "(the course: 200).",
            label="Longest review read",
            low=16,
            high=1000,
        ),
        SEED,
    ),
)
