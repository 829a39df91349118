"""The catalogue: every lab that is built, and the ones that are planned, grouped by topic."""

from __future__ import annotations

from core.labs.base import Lab
from core.labs.digits import DigitsLab
from core.specs import LabSpec

READY: dict[str, Lab] = {lab.spec.id: lab for lab in (DigitsLab(),)}

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


class UnknownLabError(KeyError):
    def __str__(self) -> str:
        return f"unknown lab {self.args[0]!r}; ready labs: {', '.join(READY)}"


def get_lab(lab_id: str) -> Lab:
    try:
        return READY[lab_id]
    except KeyError:
        raise UnknownLabError(lab_id) from None


def catalogue() -> dict[str, list[LabSpec]]:
    """All labs, ready first, grouped by topic in a stable order."""
    topics: dict[str, list[LabSpec]] = {}
    for spec in [lab.spec for lab in READY.values()] + list(PLANNED):
        topics.setdefault(spec.topic, []).append(spec)
    return topics
