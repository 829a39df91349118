"""The MNIST row-by-row lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

ROW_MODELS = ("rnn", "lstm", "gru", "birnn", "bilstm")
MODEL_NAMES = {
    "rnn": "RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "birnn": "Bidirectional RNN",
    "bilstm": "Bidirectional LSTM",
}

SPEC = LabSpec(
    id="mnist-rows",
    title="MNIST row by row: the RNN family",
    topic="Sequence models",
    icon="📜",
    order=40,
    summary="Read a digit one row at a time with RNN, LSTM and GRU; train several side by side.",
    theory=read_theory(__file__),
    params=(
        Param(
            "models",
            "multichoice",
            ("rnn", "lstm", "bilstm"),
            "Which readers to train side by side, each on the same batches: rnn, lstm, gru, "
            "birnn (bidirectional RNN), bilstm (bidirectional LSTM).",
            choices=ROW_MODELS,
        ),
        Param("hidden_size", "int", 128, "Units in each direction's hidden state.", low=16, high=512),
        Param(
            "normalization",
            "choice",
            "layer",
            "Normalise the final hidden state before the classifier: layer norm, batch norm, or none "
            "(the course's plain models).",
            choices=("layer", "batch", "none"),
        ),
        Param(
            "extra_fc",
            "bool",
            False,
            "An extra fully connected layer (half the width, ReLU) before the ten logits.",
            label="Extra FC layer",
        ),
        Param.epochs(8, 50, "Passes over the training set (the course made 10)."),
        Param.batch_size(128, "Images per optimisation step (the course used 512).", low=16),
        learning_rate_param(3e-3, "Peak step size of Adam (the course used 0.001, constant)."),
        Param.one_cycle(" (the course)"),
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
        SEED,
    ),
)
