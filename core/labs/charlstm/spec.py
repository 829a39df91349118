"""The character-level text lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.sentences import DEFAULT_SENTENCES, MAX_SENTENCE_CHARS, MAX_SENTENCES, clean_sentences
from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

SPEC = LabSpec(
    id="charlstm",
    title="Character-level text model",
    topic="Sequence models",
    icon="🔤",
    order=50,
    summary="Memorise sentences character by character and generate from a prompt.",
    theory=read_theory(__file__),
    params=(
        Param(
            "sentences",
            "text",
            DEFAULT_SENTENCES,
            f"The sentences to memorise, one per line (at most {MAX_SENTENCES}, each up to "
            f"{MAX_SENTENCE_CHARS} characters; repeats count once).",
            check=clean_sentences,
        ),
        Param("hidden_size", "int", 128, "Units in each LSTM layer's hidden state.", low=16, high=512),
        Param("layers", "int", 2, "Stacked LSTM layers (the course used 3 of 256 units).", low=1, high=3),
        Param.epochs(300, 3000, "Passes over the sentences; each pass is one step on all of them at once."),
        learning_rate_param(1e-2, "Peak step size of Adam (the course used 0.001 with a cosine decay)."),
        Param.one_cycle(),
        SEED,
    ),
)
