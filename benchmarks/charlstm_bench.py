"""Character-level text benchmark: memorisation rate and the time to reach it.

charlstm_memorisation trains, one after the other in this process, on the lab's default sentences:
- the app's default recipe, exactly as a student gets it by pressing Train (`{}`: a 2x128 LSTM,
  teacher forcing on all the sentences at once, Adam one-cycle 1e-2, 300 epochs), through the
  app's own `TrainingRunner`, scored by the lab: 100 sentences generated from the start token at
  temperature 0.5, the share that is exactly a training sentence;
- the course's recipe as the course wrote it (Assignment 1, question 4): its 3x256 LSTM with a
  256-wide embedding and a ReLU layer before the output, trained on every prefix -> next
  character pair (packed sequences, batch 32, the loader's size not being given), Adam 1e-3 with
  a cosine decay over 200 epochs, gradient clipping 1, then scored the course's way: 20 sentences
  generated at temperature 0.5, sample i starting from vocabulary entry i, stopped at a period.
Training seconds count optimisation steps only; the default's include its live memorisation
probes (the runner's clock), the course's exclude the scoring.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from benchmarks.harness import Options, Result, benchmark, progress

TARGET_RATE = 0.9
COURSE_EPOCHS = 200
# The course's 200 epochs take about 15 minutes on this CPU; the benchmark stops it here and
# scores it as it stands (its cosine schedule is then cut short: the figure is a lower bound).
COURSE_CAP_SECONDS = 600.0
COURSE_BATCH = 32


class TimedLab:
    """The text lab, passed through to the runner; notes the training clock when the live
    memorisation probe first reaches the target."""

    def __init__(self, lab: Any):
        self._lab = lab
        self.seconds_to_target: float | None = None

    def __getattr__(self, name: str) -> Any:  # spec, model_card, ...: the lab's own
        return getattr(self._lab, name)

    def train(self, params: dict[str, Any], ctx: Any) -> Any:
        from core.events import Progress

        for event in self._lab.train(params, ctx):
            rate = event.metrics.get("memorisation") if isinstance(event, Progress) else None
            if rate is not None and rate >= TARGET_RATE and self.seconds_to_target is None:
                self.seconds_to_target = round(ctx.elapsed(), 2)
            yield event


def run_default(quick: bool) -> tuple[Any, float | None]:
    from core.registry import get_lab
    from core.runner import TrainingRunner

    timed = TimedLab(get_lab("charlstm"))
    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        job = runner.submit(timed, {"epochs": 20} if quick else {}, owner="benchmark")
        job.wait()
    if job.result is None:
        raise RuntimeError(f"the default charlstm training did not finish: {job.state}: {job.message}")
    return job.result, timed.seconds_to_target


# --- the course's recipe, as written -------------------------------------------------------


class TextAutoRegressiveLSTM(nn.Module):  # the course's model
    def __init__(self, vocab_size: int, hidden_size: int = 256, num_layers: int = 3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.lstm = nn.LSTM(hidden_size, hidden_size, num_layers=num_layers, batch_first=True, dropout=0)
        self.fc = nn.Sequential(
            nn.Linear(hidden_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, vocab_size)
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(
            self.embedding(x.long()), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        _, (hidden, _) = self.lstm(packed)
        return self.fc(hidden[-1])


def run_course(sentences: list[str], quick: bool, seed: int = 0) -> dict[str, Any]:
    torch.manual_seed(seed)
    chars = sorted({ch for sentence in sentences for ch in sentence})
    char2idx = {ch: i for i, ch in enumerate(chars)}
    pairs = [
        (torch.tensor([char2idx[ch] for ch in sentence[:end]]), char2idx[sentence[end]])
        for sentence in sentences
        for end in range(1, len(sentence))
    ]
    model = TextAutoRegressiveLSTM(len(chars))
    epochs = 2 if quick else COURSE_EPOCHS
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    started = time.perf_counter()
    epochs_run = 0
    for _ in range(epochs):
        if time.perf_counter() - started > COURSE_CAP_SECONDS:
            break
        epochs_run += 1
        model.train()
        for start in torch.randperm(len(pairs)).split(COURSE_BATCH):
            batch = [pairs[i] for i in start.tolist()]
            x = pad_sequence([prefix for prefix, _ in batch], batch_first=True)
            lengths = torch.tensor([len(prefix) for prefix, _ in batch])
            y = torch.tensor([target for _, target in batch])
            loss = F.cross_entropy(model(x, lengths), y)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
        scheduler.step()
    seconds = time.perf_counter() - started

    model.eval()  # the course's generation: sample i starts from vocabulary entry i
    texts = []
    with torch.no_grad():
        for sample in range(20):
            tokens = [sample % len(chars)]
            for _ in range(1, 50):
                logits = model(torch.tensor([tokens]), torch.tensor([len(tokens)]))
                token = torch.multinomial(F.softmax(logits / 0.5, dim=1)[0], 1).item()
                tokens.append(token)
                if chars[token] == ".":
                    break
            texts.append("".join(chars[t] for t in tokens))
    rate = sum(text in sentences for text in texts) / len(texts)
    return {
        "train_seconds": round(seconds, 2),
        "memorisation_rate": rate,
        "epochs": epochs_run,
        "epochs_planned": epochs,
        "pairs": len(pairs),
    }


@benchmark(
    "charlstm_memorisation",
    "Memorisation rate of the default sentences and the training seconds it takes: the app's "
    "default text recipe (start token) through the app's runner, and the course's recipe and "
    "generation (arbitrary first characters), in the same process.",
)
def charlstm_memorisation(options: Options) -> Result:
    from core.sentences import DEFAULT_SENTENCES, split_sentences

    load = [round(os.getloadavg()[0], 2)]
    progress("default charlstm recipe (app runner)...")
    trained, seconds_to_target = run_default(options.quick)
    load.append(round(os.getloadavg()[0], 2))
    progress("course charlstm recipe...")
    course = run_course(split_sentences(DEFAULT_SENTENCES), options.quick)
    load.append(round(os.getloadavg()[0], 2))
    metrics = trained.metrics
    figures: dict[str, Any] = {
        "torch_threads": torch.get_num_threads(),
        "default.memorisation_rate": metrics["memorisation_rate"],
        "default.coverage": metrics["coverage"],
        "default.train_seconds": metrics["train_seconds"],
        "default.seconds_to_90pct_probe": seconds_to_target,
        "course.memorisation_rate": course["memorisation_rate"],
        "course.train_seconds": course["train_seconds"],
        "course.training_pairs": course["pairs"],
        "course.epochs_run": course["epochs"],
        "course.epochs_planned": course["epochs_planned"],
        "ratio_course_over_default_train_seconds": round(
            course["train_seconds"] / metrics["train_seconds"], 2
        )
        if metrics["train_seconds"]
        else None,
        "load_1min_before_between_after": load,
    }
    return Result(
        figures=figures,
        target=f"default recipe: memorisation rate >= {TARGET_RATE:.0%} (course: 25%)",
        met=None if options.quick else metrics["memorisation_rate"] >= TARGET_RATE,
        notes=[
            "seconds_to_90pct_probe is the training clock when the live probe (20 sentences) first "
            "reached 90%; the memorisation rate itself is measured on 100 sentences at the end.",
            "The course's rate is low by construction: most samples start with a character that "
            "begins no training sentence, so at most one in five or so can match.",
            "On 2 cores other busy processes slow PyTorch several-fold: compare timings only from runs "
            "whose load averages stayed near 2.",
        ],
        details={"default_metrics": metrics, "course": course},
    )
