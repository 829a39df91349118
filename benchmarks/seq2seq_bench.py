"""Seq2seq benchmark: held-out BLEU with and without attention at equal steps, beside the course.

seq2seq_bleu trains, one after the other in this process, on the same real Tatoeba
English-French pairs (the lab's default corpus) and scores every model on the same 1,000
held-out English sentences (never trained on, split by English sentence) with sacreBLEU against
all the reference translations each has ("Tatoeba held-out BLEU"); Tatoeba's sentences are short,
so the BLEU on sentences longer than 8 words is only reported on the generated corpus:
- the app's default recipe, exactly as a student gets it by pressing Train (`{}`), through the
  app's own runner: one job that trains the attention model and the plain one in alternation,
  one step each on the same batch, so both have the same data and the same number of steps;
- the course's recipe as the course wrote it (Lab Work 16): 500 random training pairs, its
  `lower().split()` vocabulary with unknown words mapped to padding, LSTM 256/512 encoder and
  decoders (its attention decoder uses nn.MultiheadAttention), teacher forcing 0.5, Adam 1e-3,
  gradient clipping 1, one full-batch step per epoch for 150 epochs, each model in turn.
The targets: with attention beats without at equal steps on the real pairs, and the default's
attention model beats the course's.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from benchmarks.harness import Options, Result, benchmark, progress

COURSE_PAIRS = 500
COURSE_EPOCHS = 150


# --- the course's recipe, cells 6-36 -------------------------------------------------------


def build_vocab(sentences: list[str]) -> dict[str, int]:
    vocab = {"<pad>": 0, "<sos>": 1, "<eos>": 2}
    for sentence in sentences:
        for word in sentence.lower().split():
            if word not in vocab:
                vocab[word] = len(vocab)
    return vocab


def tokenize(sentence: str, vocab: dict[str, int]) -> list[int]:
    # As the course wrote it: an unknown word silently becomes padding.
    return (
        [vocab["<sos>"]]
        + [vocab.get(word, vocab["<pad>"]) for word in sentence.lower().split()]
        + [vocab["<eos>"]]
    )


class Encoder(nn.Module):
    def __init__(self, input_dim: int, emb_dim: int, hid_dim: int):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.LSTM(emb_dim, hid_dim, batch_first=True)

    def forward(self, src: torch.Tensor) -> tuple:
        outputs, (hidden, cell) = self.rnn(self.embedding(src))
        return outputs, hidden, cell


class DecoderNoAttention(nn.Module):
    def __init__(self, output_dim: int, emb_dim: int, hid_dim: int):
        super().__init__()
        self.output_dim = output_dim
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.LSTM(emb_dim, hid_dim, batch_first=True)
        self.fc = nn.Linear(hid_dim, output_dim)

    def forward(self, tgt: torch.Tensor, hidden: torch.Tensor, cell: torch.Tensor) -> tuple:
        output, (hidden, cell) = self.rnn(self.embedding(tgt.unsqueeze(1)), (hidden, cell))
        return self.fc(output.squeeze(1)), hidden, cell


class DecoderWithAttention(nn.Module):
    def __init__(self, output_dim: int, emb_dim: int, hid_dim: int):
        super().__init__()
        self.output_dim = output_dim
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.LSTM(emb_dim + hid_dim, hid_dim, batch_first=True)
        self.attention = nn.MultiheadAttention(hid_dim, num_heads=1)
        self.fc = nn.Linear(hid_dim, output_dim)

    def forward(
        self, tgt: torch.Tensor, hidden: torch.Tensor, cell: torch.Tensor, encoder_outputs: torch.Tensor
    ):
        embedded = self.embedding(tgt.unsqueeze(1))
        attn_output, attn_weights = self.attention(
            hidden[-1].unsqueeze(0), encoder_outputs.transpose(0, 1), encoder_outputs.transpose(0, 1)
        )
        rnn_input = torch.cat((embedded, attn_output.transpose(0, 1)), dim=2)
        output, (hidden, cell) = self.rnn(rnn_input, (hidden, cell))
        return self.fc(output.squeeze(1)), hidden, cell, attn_weights


class CourseSeq2Seq(nn.Module):
    def __init__(self, encoder: Encoder, decoder: nn.Module, use_attention: bool = False):
        super().__init__()
        self.encoder, self.decoder, self.use_attention = encoder, decoder, use_attention

    def forward(
        self, src: torch.Tensor, tgt: torch.Tensor, teacher_forcing_ratio: float = 0.5
    ) -> torch.Tensor:
        outputs = torch.zeros(src.shape[0], tgt.shape[1], self.decoder.output_dim)
        encoder_outputs, hidden, cell = self.encoder(src)
        token = tgt[:, 0]
        for t in range(1, tgt.shape[1]):
            if self.use_attention:
                output, hidden, cell, _ = self.decoder(token, hidden, cell, encoder_outputs)
            else:
                output, hidden, cell = self.decoder(token, hidden, cell)
            outputs[:, t] = output
            token = tgt[:, t] if np.random.random() < teacher_forcing_ratio else output.argmax(1)
        return outputs


def course_translate(
    model: CourseSeq2Seq, sentence: str, src_vocab: dict, inv_tgt: dict, max_len: int = 50
) -> str:
    model.eval()
    src = torch.LongTensor(tokenize(sentence, src_vocab)).unsqueeze(0)
    with torch.no_grad():
        encoder_outputs, hidden, cell = model.encoder(src)
        tokens = [1]
        for _ in range(max_len):
            token = torch.LongTensor([tokens[-1]])
            if model.use_attention:
                output, hidden, cell, _ = model.decoder(token, hidden, cell, encoder_outputs)
            else:
                output, hidden, cell = model.decoder(token, hidden, cell)
            tokens.append(output.argmax(1).item())
            if tokens[-1] == 2:
                break
    return " ".join(inv_tgt[t] for t in tokens[1:] if t not in (0, 1, 2))


def run_course(corpus: Any, quick: bool) -> dict[str, Any]:
    """The course's data preparation, two models and training loop; BLEU on our held-out split."""
    from core.bleu import corpus_bleu
    from core.labs.seq2seq.train import LONG_WORDS, MIN_LONG

    torch.manual_seed(0)
    np.random.seed(0)
    pairs = random.Random(0).sample(corpus.train, min(64 if quick else COURSE_PAIRS, len(corpus.train)))
    src_vocab = build_vocab([s for s, _ in pairs])
    tgt_vocab = build_vocab([t for _, t in pairs])
    inv_tgt = {i: w for w, i in tgt_vocab.items()}
    train_src = pad_sequence([torch.tensor(tokenize(s, src_vocab)) for s, _ in pairs], batch_first=True)
    train_tgt = pad_sequence([torch.tensor(tokenize(t, tgt_vocab)) for _, t in pairs], batch_first=True)
    figures: dict[str, Any] = {"train_pairs": len(pairs)}
    long_pairs = corpus.longer_than(LONG_WORDS)
    for name, decoder in (("plain", DecoderNoAttention), ("attention", DecoderWithAttention)):
        model = CourseSeq2Seq(
            Encoder(len(src_vocab), 256, 512), decoder(len(tgt_vocab), 256, 512), name == "attention"
        )
        optimizer = torch.optim.Adam(model.parameters())
        criterion = nn.CrossEntropyLoss(ignore_index=0)
        started = time.perf_counter()
        for _ in range(2 if quick else COURSE_EPOCHS):
            model.train()
            optimizer.zero_grad()
            output = model(train_src, train_tgt)
            loss = criterion(output[:, 1:].reshape(-1, output.shape[-1]), train_tgt[:, 1:].reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1)
            optimizer.step()
        figures[f"{name}.train_seconds"] = round(time.perf_counter() - started, 2)
        for suffix, scored in (("", corpus.heldout), ("_long", long_pairs)):
            scored = corpus.scored(scored[:50] if quick else scored)  # every reference
            if not scored or (suffix and len(scored) < MIN_LONG):
                continue
            hypotheses = [course_translate(model, s, src_vocab, inv_tgt) for s, _ in scored]
            figures[f"{name}.bleu{suffix}"] = round(corpus_bleu(hypotheses, [r for _, r in scored]), 2)
    return figures


# --- the app's default recipe --------------------------------------------------------------


def run_default(quick: bool) -> Any:
    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        quick_settings = {"corpus_size": 300, "epochs": 1, "hidden": 32, "embedding": 16}
        settings = quick_settings if quick else {}  # {}: exactly what a student gets
        job = runner.submit(get_lab("seq2seq"), settings, owner="benchmark", max_steps=4 if quick else None)
        job.wait()
    if job.result is None:
        raise RuntimeError(f"the default seq2seq training did not finish: {job.state}: {job.message}")
    return job.result


@benchmark(
    "seq2seq_bleu",
    "Tatoeba held-out sacreBLEU (1,000 real English sentences never trained on, against all their "
    "references) of the seq2seq lab's default recipe with and without attention at equal steps (one "
    "job, alternating steps), beside the course's Lab Work 16 recipe, in the same process.",
)
def seq2seq_bleu(options: Options) -> Result:
    from core.corpus import load_corpus

    progress("default seq2seq recipe, both models (app runner)...")
    load_before = os.getloadavg()[0]
    trained = run_default(options.quick)
    m = trained.metrics
    figures: dict[str, Any] = {
        "torch_threads": torch.get_num_threads(),
        "data": trained.config["data"]["description"],
    }
    for name in ("attention", "plain"):
        figures[f"default_{name}.bleu"] = m[f"heldout_bleu_{name}"]
        if f"heldout_bleu_long_{name}" in m:
            figures[f"default_{name}.bleu_long"] = m[f"heldout_bleu_long_{name}"]
        figures[f"default_{name}.train_seconds"] = m[f"train_seconds_{name}"]
    figures["default.steps_each"] = m["steps_each"]
    figures["default.load_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]

    progress("course recipe (Lab Work 16), both models...")
    params = trained.config["params"]
    corpus = load_corpus(params["corpus"], size=params["corpus_size"], seed=params["seed"])
    load_before = os.getloadavg()[0]
    course = run_course(corpus, options.quick)
    figures |= {f"course_{k}": v for k, v in course.items()}
    figures["course.load_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]

    gain = m["heldout_bleu_attention"] - m["heldout_bleu_plain"]
    figures["default.attention_minus_plain_bleu"] = round(gain, 2)
    figures["attention_bleu_default_over_course"] = round(
        m["heldout_bleu_attention"] / max(course["attention.bleu"], 0.01), 2
    )
    met = None if options.quick else gain > 0 and m["heldout_bleu_attention"] > course["attention.bleu"]
    return Result(
        figures=figures,
        target="with attention beats without on the Tatoeba held-out sentences at equal steps; "
        "the default's attention model beats the course's",
        met=met,
        notes=[
            "BLEU is sacreBLEU (13a, lowercased) of greedy translations against every reference of each "
            "held-out sentence, on the corpus's fixed held-out split; the course scored on its training "
            "pairs.",
            "Equal budget = the same batches for the same number of steps; per-model training seconds are "
            "reported too (attention costs more per step).",
            "On 2 cores other busy processes slow PyTorch several-fold: compare timings only from runs whose "
            "load averages stayed near 2.",
        ],
        details={"default_metrics": m},
    )


LATENCY_SENTENCE = "Tom told Mary that he didn't want to go to Boston."
LATENCY_TARGET_MS = 100.0


@benchmark(
    "seq2seq_latency",
    "Latency of translating a typed sentence with the bundled seq2seq pair (both models, greedy) "
    "with the attention model's alignment and the seen-in-training table, as the page and the API do.",
)
def seq2seq_latency(options: Options) -> Result:
    from benchmarks.classify_latency import time_calls
    from benchmarks.harness import series_figures
    from core.registry import get_lab

    lab = get_lab("seq2seq")
    trained = lab.load_bundled()
    interaction = lab.interaction("translate")
    runs = 10 if options.quick else 200
    load_before = os.getloadavg()[0]
    timing = time_calls(lambda: interaction(trained, {"text": LATENCY_SENTENCE}), runs)
    figures = series_figures({"translate": timing}, sep="_")
    figures["load_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    answer = interaction(trained, {"text": LATENCY_SENTENCE})
    return Result(
        figures,
        target=f"p95 <= {LATENCY_TARGET_MS:g} ms",
        met=timing["p95_ms"] <= LATENCY_TARGET_MS,
        notes=[answer["attention"], answer["plain"]],
    )
