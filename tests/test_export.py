"""Take the model away (issue 19): an export is one zip that the app loads back, whose ONNX file
answers as PyTorch does, and whose predict.py runs with nothing but torch and safetensors on the
path, reading a photo of a digit as the app reads it."""

from __future__ import annotations

import functools
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import SEVEN, photo_png
from packaging.requirements import Requirement
from PIL import Image

from core import checkpoints, models
from core.cli import main as cli
from core.export import export_archive, runs_alone, standalone_files
from core.imaging import read_upload
from core.labs.base import Lab, TrainedModel
from core.registry import get_lab, ready_labs

ROOT = Path(__file__).resolve().parents[1]


def bundled_export(lab_id: str, variant: str | None = None) -> tuple[bytes, TrainedModel]:
    """A bundled model's export (the lab's default when no variant is named), and the model as
    the app loads it: written once per session, since writing ONNX takes seconds (the default
    named or not: the same export)."""
    return exported(lab_id, variant or next(iter(get_lab(lab_id).variants)))


@functools.cache
def exported(lab_id: str, variant: str) -> tuple[bytes, TrainedModel]:
    lab = get_lab(lab_id)
    trained = models.bundled(lab, variant)
    return export_archive(lab, trained), trained


@pytest.fixture(scope="module")
def digits_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    with zipfile.ZipFile(io.BytesIO(bundled_export("digits", "fast-cnn")[0])) as archive:
        archive.extractall(folder)
    return folder / "digits-fast-cnn"


def test_an_export_holds_the_checkpoint_its_onnx_file_and_the_standalone_code(digits_export):
    names = {path.name for path in digits_export.iterdir()}
    assert {"config.json", "model.safetensors", "metrics.json", "README.md", "EXPORT.md"} <= names
    assert {"model.onnx", "model.py", "predict.py"} <= names
    assert "python predict.py" in (digits_export / "EXPORT.md").read_text()


def test_the_app_loads_an_export_back(digits_export, tmp_path):
    lab = get_lab("digits")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in digits_export.iterdir():
            archive.write(path, f"mine/{path.name}")
    loaded = models.load_archive(lab, buffer.getvalue(), "mine.zip", tmp_path)
    bundled = models.bundled(lab, "fast-cnn")
    for key, value in bundled.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value)


# The labs that declare ONNX inputs (overriding the base's None), found without loading a model.
ONNX_LABS = [lab.spec.id for lab in ready_labs() if type(lab).onnx_inputs is not Lab.onnx_inputs]


@pytest.mark.parametrize("lab_id", ONNX_LABS)
def test_the_onnx_file_answers_as_pytorch_does_at_any_batch_size(lab_id, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    lab = get_lab(lab_id)
    archive_bytes, trained = bundled_export(lab_id)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("model.onnx")]
        (tmp_path / "model.onnx").write_bytes(archive.read(name))
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    model = lab.onnx_module(trained).eval()
    for batch in (1, 5):
        generator = torch.Generator().manual_seed(batch)
        inputs = [like(x, batch, generator) for x in lab.onnx_inputs(trained)]
        outputs = session.run(
            None, {i.name: x.numpy() for i, x in zip(session.get_inputs(), inputs, strict=True)}
        )
        with torch.no_grad():
            np.testing.assert_allclose(outputs[0], model(*inputs).numpy(), atol=1e-4)
    if lab.onnx_lengths:  # token ids of another length: three more [PAD] after each text
        inputs = [
            torch.cat([x, x.new_zeros(len(x), 3)], 1) if x.dim() > 1 else x for x in lab.onnx_inputs(trained)
        ]
        outputs = session.run(
            None, {i.name: x.numpy() for i, x in zip(session.get_inputs(), inputs, strict=True)}
        )
        with torch.no_grad():
            np.testing.assert_allclose(outputs[0], model(*inputs).numpy(), atol=1e-4)


def like(example: torch.Tensor, batch: int, generator: torch.Generator) -> torch.Tensor:
    """`batch` inputs like a lab's example: random numbers in [0, 1) for pictures and tables;
    the example's own rows in turn for indices (tokens, lengths), which must stay valid."""
    if example.is_floating_point():
        return torch.rand(batch, *example.shape[1:], generator=generator)
    return example[torch.arange(batch) % len(example)]


def test_the_labs_whose_models_export_declare_onnx_inputs():
    assert {
        *("digits", "denoise", "gan", "house-prices", "imbalanced", "regularisation", "vae", "look-at-data"),
        *("attention", "mnist-rows", "optimisers", "gradient-descent", "early-stopping", "binary-prior"),
        *("sentiment", "text-transformer", "forecast", "cnn-architectures"),
    } <= set(ONNX_LABS)


def only_torch_and_safetensors(folder: Path) -> Path:
    """A folder holding links to torch, safetensors and what they require, and nothing else."""
    folder.mkdir()
    seen, wanted = set(), ["torch", "safetensors"]
    while wanted:
        name = wanted.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        dist = metadata.distribution(name)
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
        tops = {Path(str(file)).parts[0] for file in dist.files or [] if not str(file).startswith("..")}
        for top in tops - {"__pycache__"}:
            if top.endswith((".dist-info", ".pth")) or ("." in top and not top.endswith(".py")):
                continue
            source = Path(dist.locate_file(top))
            if source.exists() and not (folder / top).exists():
                (folder / top).symlink_to(source)
    return folder


@pytest.fixture(scope="session")
def standalone_libs(tmp_path_factory) -> Path:
    """torch, safetensors and their requirements, made once per session (it is slow)."""
    libs = only_torch_and_safetensors(tmp_path_factory.mktemp("standalone") / "libs")
    assert not (libs / "core").exists() and not (libs / "numpy").exists()
    return libs


def unpacked(lab_id: str, variant: str, folder: Path) -> tuple[Path, TrainedModel]:
    """A bundled model's export unpacked under `folder`, and the model as the app loads it."""
    archive_bytes, trained = bundled_export(lab_id, variant)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        archive.extractall(folder)
        (top,) = {Path(name).parts[0] for name in archive.namelist()}
    assert (folder / top / "predict.py").is_file()
    return folder / top, trained


def grey_png(frame: np.ndarray, path: Path) -> Path:
    Image.fromarray((np.clip(frame, 0, 1) * 255).round().astype(np.uint8), mode="L").save(path)
    return path


def read_grey(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255


def csv_rows(out: str) -> np.ndarray:
    """predict.py's CSV answer without its header row and first column (the row number)."""
    lines = out.strip().splitlines()[1:]
    return np.array([[float(cell) for cell in line.split(",")[1:]] for line in lines])


def test_the_cli_exports_a_bundled_model_and_a_checkpoint_folder(tmp_path, capsys, monkeypatch):
    import core.export

    # The ONNX file is checked above, lab by lab; writing it twice more here would cost seconds.
    monkeypatch.setattr(core.export, "onnx_bytes", lambda lab, trained: (None, "not written in this test"))
    out = tmp_path / "digits.zip"
    assert cli(["export", "digits:mlp", "--out", str(out)]) == 0
    folder = checkpoints.extract_archive(out.read_bytes(), tmp_path / "again")
    assert cli(["export", str(folder), "--out", str(tmp_path / "again.zip")]) == 0
    with zipfile.ZipFile(out) as first, zipfile.ZipFile(tmp_path / "again.zip") as again:
        weights = [next(n for n in z.namelist() if n.endswith("model.safetensors")) for z in (first, again)]
        assert first.read(weights[0]) == again.read(weights[1])  # the same model, exported again
        assert any(name.endswith("predict.py") for name in again.namelist())


def test_a_lab_without_onnx_or_predict_py_still_exports_and_says_why(tmp_path, monkeypatch):
    import core.export

    lab = get_lab("binary-addition")  # no ONNX (a loop as long as the numbers)
    monkeypatch.setattr(core.export, "standalone_files", lambda lab: {})  # as a lab without predict.py
    with zipfile.ZipFile(io.BytesIO(export_archive(lab, models.choose(lab, None)))) as archive:
        names = {Path(name).name for name in archive.namelist()}
        notes = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("EXPORT.md"))
    assert "model.safetensors" in names and "model.onnx" not in names
    assert "No ONNX file" in notes and "No standalone" in notes


@pytest.mark.parametrize("lab", [lab.spec.id for lab in ready_labs()])
def test_standalone_code_is_offered_only_where_it_needs_no_part_of_the_app(lab):
    files = standalone_files(get_lab(lab))
    if files:  # as shipped: helpers (recurrent.py...) read from beside it
        assert runs_alone(files["model.py"], {Path(name).stem for name in files})
    assert not runs_alone("from core.recurrent import GatedLSTM")


def test_the_gradio_api_exports_the_chosen_model(client):
    path = client.predict("mlp", api_name="/digits_export")
    with zipfile.ZipFile(path) as archive:
        names = {Path(name).name for name in archive.namelist()}
    assert {"model.safetensors", "model.onnx", "predict.py"} <= names
    assert any(name.startswith("digits-mlp/") for name in zipfile.ZipFile(path).namelist())


def test_the_exporter_warms_up_in_the_background_without_a_trace():
    from core.export import warm_exporter_in_background

    thread = warm_exporter_in_background()
    thread.join(timeout=240)
    assert not thread.is_alive() and thread.daemon  # never holds a server's exit


# --- the other labs' predict.py, run together -------------------------------------------------
# Each predict.py run costs a Python start and a torch import (1 to 3 s), so the labs below run
# all theirs in one subprocess: `Case.jobs` unpacks nothing and writes its inputs beside the
# export, returns predict.py's argument lists; `Case.check` compares what was printed with the
# app's own answer.

RUN_MANY = r"""
import contextlib, io, json, os, runpy, sys, traceback
libs, jobs = sys.argv[1], json.loads(sys.stdin.read())
sys.path[:0] = [libs]
answers = []
for folder, args in jobs:
    for name, module in list(sys.modules.items()):  # the previous export's model, pictures...
        if any(str(getattr(module, "__file__", "") or "").startswith(f) for f, _ in jobs):
            del sys.modules[name]
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.argv = ["predict.py", *args]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path("predict.py", run_name="__main__")
        answers.append({"out": out.getvalue()})
    except BaseException:  # SystemExit too: a message instead of an answer
        answers.append({"out": out.getvalue(), "error": traceback.format_exc()})
    sys.path.remove(folder)
print(json.dumps(answers))
"""


def run_many(libs: Path, jobs: list[tuple[Path, list[str]]]) -> list[dict[str, str]]:
    """Several predict.py runs in one subprocess with nothing but the standard library, the
    export's folder and torch and safetensors on the path (-S -s -E: no site-packages, no user
    site, no PYTHONPATH), each in its export's folder; each run's standard output ("out") and,
    when it stopped, its traceback ("error")."""
    command = [sys.executable, "-S", "-s", "-E", "-c", RUN_MANY, str(libs)]
    payload = json.dumps([(str(folder), args) for folder, args in jobs])
    done = subprocess.run(command, input=payload, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Case:
    variant: str
    jobs: Callable[[Path, TrainedModel], list[list[str]]]
    check: Callable[[Path, TrainedModel, list[str]], None]


CASES: dict[str, Case] = {}


def case(lab_id: str, variant: str, jobs: Callable[[Path, TrainedModel], list[list[str]]]):
    """Declares the check of a lab's standalone predict.py (the decorated function)."""

    def register(check: Callable[[Path, TrainedModel, list[str]], None]):
        CASES[lab_id] = Case(variant, jobs, check)
        return check

    return register


@pytest.fixture(scope="module")
def standalone_answers(
    standalone_libs, tmp_path_factory, request
) -> dict[str, tuple[Path, TrainedModel, list]]:
    """Every case's export unpacked, its inputs written and its predict.py runs answered, in one
    subprocess."""
    cases, jobs = {}, []
    wanted = {  # the cases this session runs (all, unless -k picks some)
        item.callspec.params["lab_id"]
        for item in request.session.items
        if item.originalname == "test_the_lab_runs_alone_and_answers_as_the_app_does"
    }
    for lab_id, declared in CASES.items():
        if lab_id not in wanted:
            continue
        folder, trained = unpacked(lab_id, declared.variant, tmp_path_factory.mktemp(lab_id))
        argvs = declared.jobs(folder, trained)
        cases[lab_id] = (folder, trained, len(jobs), len(argvs))
        jobs += [(folder, argv) for argv in argvs]
    answers = run_many(standalone_libs, jobs)
    return {
        lab_id: (folder, trained, answers[start : start + count])
        for lab_id, (folder, trained, start, count) in cases.items()
    }


def ran(answers: list[dict[str, str]]) -> list[str]:
    """What each run printed, failing on the first that stopped."""
    for answer in answers:
        assert "error" not in answer, answer["error"]
    return [answer["out"] for answer in answers]


ATTENTION_STRINGS = ["31415", "2, 7, 1, 8", "90", "12345678"]


@case("attention", "reverse", lambda folder, trained: [ATTENTION_STRINGS, ["12a"]])
def attention_answers(folder, trained, answers):
    from core.labs.attention.interactions import run_toy

    lines = ran(answers[:1])[0].splitlines()
    for text, line in zip(ATTENTION_STRINGS, lines, strict=True):
        app = run_toy(trained, text)
        assert line.startswith(f"reverse {app.digits} -> {app.output} (")
        places = [int(p) - 1 for p in line.split("reads input places ")[1].split()]
        assert places == app.weights.argmax(-1).tolist()
    assert "only the digits 0-9, not 'a'" in answers[1]["error"]


SUMS = [("1011", "110"), ("0b10110", "1"), ("11111", "11111"), ("1010_1010_1010", "1")]


@case(
    "binary-addition",
    "5-bit",
    lambda folder, trained: [
        [n for pair in SUMS for n in pair],
        ["101", "11", "--temperature", "3"],
        ["12", "1"],
    ],
)
def binary_addition_answers(folder, trained, answers):
    from core.labs.binary_addition.interactions import add_numbers

    sums, warm = ran(answers[:2])
    for (a, b), line in zip([*SUMS, ("101", "11")], sums.splitlines() + warm.splitlines(), strict=True):
        app = add_numbers(trained, a, b, 3.0 if (a, b) == ("101", "11") else 1.0)
        assert line.split(" = ")[1].split()[0] == app.predicted_bits
        said = [float(p) for p in line.split("P(1) ")[1].split()]
        np.testing.assert_allclose(said, app.probabilities[::-1], atol=1e-4)
        assert ("right" in line) == app.correct
    assert "not a binary number" in answers[2]["error"]


PREFIXES = ["1234543", "9876789", "1 2 3 2", "55555555555555555", "1234"]


@case(
    "palindromes",
    "sweep",
    lambda folder, trained: [PREFIXES[:4], [PREFIXES[4], "--temperature", "3"], ["12x"]],
)
def palindromes_answers(folder, trained, answers):
    from core.labs.palindromes.interactions import predict_last_digit
    from core.labs.palindromes.model import CELL_NAMES, CELLS

    lines = "".join(ran(answers[:2])).splitlines()
    for text, line in zip(PREFIXES, lines, strict=True):
        app = predict_last_digit(trained, text, 3.0 if text == "1234" else 1.0)
        assert line.startswith(f"{app.prefix} (T = {app.length}, the pair trained at T = {app.model_length};")
        said = line.split("): ")[1].split("; ")
        for cell, part in zip(CELLS, said, strict=True):
            assert part.startswith(f"{CELL_NAMES[cell]} {app.digit(cell)} (")
            assert abs(float(part.split("(")[1].rstrip(")")) - app.probabilities[cell].max()) <= 1e-4
    assert "only 0-9" in answers[2]["error"]


# Reviews as students type them: case, apostrophes (straight and curly), accents, words the
# tokenizer never learnt, HTML breaks, a typed special token.
REVIEWS = [
    "This coffee is GREAT, I'd buy it again!!",
    "Crème brûlée flavour, naïve café au lait... Señor's jalapeño chips are the best.",
    "The dog didn’t like it :( 2/5, would NOT recommend.<br />Stale and overpriced.",
    "Zxqwv blorptastic snacks, [CLS] truly délicieux and fresh",
]


def test_review_words_tokenises_as_the_apps_hugging_face_tokenizer():
    """The plain-Python tokenizer an export ships gives the app's ids on typed and real reviews."""
    from core import reviews
    from core.standalone.review_words import WordTokenizer

    saved = json.loads((get_lab("sentiment").bundled_checkpoint() / "config.json").read_text())["tokenizer"]
    app, mine = reviews.tokenizer_from_dict(saved), WordTokenizer(saved)
    texts = [
        *REVIEWS,
        "İstanbul ÆØÅ Straße ﬁne 東京 tea 🙂",
        "e\u0301 a \u0301 b",
        *reviews.load_reviews().heldout.texts[:200],
    ]
    for text in map(reviews.clean, texts):
        assert mine.encode(text)[0] == app.encode(text).ids, text


def review_check(scores: Callable[[TrainedModel, str, list[int]], dict[str, float]]):
    """The check of a review lab's predict.py: each review's ids as the app reads them, each
    model's P(great) as the app computes it, the unknown words named, a bad review refused."""

    def check(folder: Path, trained: TrainedModel, answers: list[dict[str, str]]) -> None:
        from core import reviews

        tokenizer = reviews.tokenizer_from_dict(trained.config["tokenizer"])
        lines = "".join(ran(answers[:2])).splitlines()
        for text, line in zip([*REVIEWS, REVIEWS[0]], lines, strict=True):
            typed = reviews.read_review(tokenizer, text, int(trained.config["max_tokens"]))
            said = dict(part.split(": ", 1) for part in line.split("; ") if not part.startswith("never"))
            for name, great in scores(trained, text, typed.ids).items():
                assert said[name].startswith(reviews.CLASSES[int(great >= 0.5)])
                assert abs(float(said[name].split("P(great) ")[1].rstrip(")")) - great) <= 1e-4
            assert line.endswith(f"never learnt: {', '.join(typed.unknown)}") == bool(typed.unknown)
        assert "none of these words was learnt" in answers[2]["error"]

    return check


def review_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    (folder / "reviews.txt").write_text(REVIEWS[0] + "\n\n", encoding="utf-8")
    return [REVIEWS, ["--file", str(folder / "reviews.txt")], ["zxqwv blorptastic"]]


def sentiment_scores(trained: TrainedModel, text: str, ids: list[int]) -> dict[str, float]:
    """P(great) as the app's classify computes it (before its attributions)."""
    with torch.no_grad():
        return {
            name: float(reader.eval()(torch.tensor([ids]), torch.tensor([len(ids)])).softmax(-1)[0, 1])
            for name, reader in trained.model.items()
        }


def transformer_scores(trained: TrainedModel, text: str, ids: list[int]) -> dict[str, float]:
    from core.labs.text_transformer.interactions import read

    return {"transformer": read(trained, text)[1]}


case("sentiment", "both", review_jobs)(review_check(sentiment_scores))
case("text-transformer", "cls", review_jobs)(review_check(transformer_scores))


def forecast_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.labs.forecast.train import data_for

    values = data_for(trained).series.values[-40:]  # the last 40 days: the models read 30
    (folder / "days.txt").write_text("\n".join(f"{v:.2f}" for v in values[:20]) + ",\n")
    typed = [f"{v:.2f}" for v in values[20:]]
    return [
        ["--file", str(folder / "days.txt"), *typed, "--steps", "12"],
        [*typed, "--file", str(folder / "days.txt"), "--steps", "5", "--strategy", "direct"],
        ["1", "2", "3"],
    ]


@case("forecast", "melbourne", forecast_jobs)
def forecast_answers(folder, trained, answers):
    from core.labs.forecast import forecasting as fc
    from core.labs.forecast.train import data_for

    recursive, direct = ran(answers[:2])
    data = data_for(trained)
    window = np.round(data.series.values[-30:], 2)  # the file's ten newest, then the twenty typed
    for said, steps, strategy in ((recursive, 12, "recursive"), (direct, 5, "direct")):
        for line in said.splitlines():
            name, values = line.split(": ")
            app = fc.forecast(trained.model[name], data.scaling, window[None], steps, strategy)[0]
            np.testing.assert_allclose([float(v) for v in values.split(", ")], app, atol=1e-4)
    assert "give at least 30" in answers[2]["error"]


@case(
    "binary-prior",
    "lstm",
    lambda folder, trained: [["--count", "12", "--seed", "3"], ["--count", "4", "--temperature", "0"]],
)
def binary_prior_answers(folder, trained, answers):
    from core.labs.binary_prior.train import nearest_codes, training_codes

    for (count, temperature, seed), out in zip(((12, 1.0, 3), (4, 0.0, 0)), ran(answers), strict=True):
        app = trained.model.eval().sample(count, temperature, torch.Generator().manual_seed(seed))
        index, distance = nearest_codes(app, training_codes(trained.config))
        lines = out.splitlines()
        assert [line.split()[0] for line in lines] == ["".join(map(str, code)) for code in app.tolist()]
        assert [int(line.split("#")[1].split()[0]) for line in lines] == index.tolist()
        assert [("the same code" in line) for line in lines] == (distance == 0).tolist()


GARMENTS = (0, 1, 2)  # Fashion-MNIST test pictures


def garment_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.data import load_images

    data = load_images("fashion-mnist")
    paths = [grey_png(data.test_images[i].numpy() / 255, folder / f"garment-{i}.png") for i in GARMENTS]
    light = grey_png(1 - data.test_images[GARMENTS[0]].numpy() / 255, folder / "on-white.png")
    return [[*map(str, paths), str(light)]]


@case("cnn-architectures", "all", garment_jobs)
def cnn_architectures_answers(folder, trained, answers):
    from core.data import load_images

    *lines, light = ran(answers)[0].splitlines()
    pictures = load_images("fashion-mnist").test_images[list(GARMENTS)].float() / 255  # as classify
    classes = trained.config["classes"]
    with torch.no_grad():
        said = {  # what the app's classify says for these pictures (the small networks)
            name: network.eval()(pictures).softmax(-1)
            for name, network in trained.model.items()
            if name != "efficientnet"
        }
    for row, line in enumerate(lines):
        app = {name: (classes[int(p[row].argmax())], float(p[row].max())) for name, p in said.items()}
        reads_as_the_app(line, app)
    assert light.split(": ", 1)[1] == lines[0].split(": ", 1)[1]  # white paper turned round


# Sentences as students type them: case, a name, a clitic, an elision-free question, a word the
# model never saw.
SENTENCES = ["I am hungry.", "Where is the station?", "Tom doesn't like apples.", "My zyxqvorp is RED!"]


@case(
    "transformer",
    "tatoeba",
    lambda folder, trained: [SENTENCES, [SENTENCES[2], "--beam", "4"], ["qwxz zzqv"]],
)
def transformer_answers(folder, trained, answers):
    from core.labs.transformer.model import translate_texts  # the app's translation, without attention

    greedy, beam = (out.splitlines() for out in ran(answers[:2]))
    assert [line.split("    (")[0] for line in greedy] == translate_texts(trained.model, SENTENCES)
    assert ["zyxqvorp" in line for line in greedy] == [False, False, False, True]
    assert beam == translate_texts(trained.model, SENTENCES[2:3], beam=4)
    assert "none of these words" in answers[2]["error"]


@case("seq2seq", "tatoeba", lambda folder, trained: [SENTENCES, ["qwxz zzqv"]])
def seq2seq_answers(folder, trained, answers):
    from core.labs.seq2seq.interactions import translate

    lines = ran(answers[:1])[0].splitlines()
    said = [line for line in lines if not line.startswith("unknown")]
    for text, attention, plain in zip(SENTENCES, said[::2], said[1::2], strict=True):
        app = translate(trained, text)
        assert attention == f"with attention: {app.attention}" and plain == f"without attention: {app.plain}"
    assert lines[-1] == f"unknown, read as <unk>: {', '.join(translate(trained, SENTENCES[3]).unknown)}"
    assert "none of these words" in answers[1]["error"]


def digit_pictures(folder: Path) -> list[str]:
    """Pictures to read: an MNIST frame (as a PNG holds it) and a photo of a seven on paper."""
    from core.imaging import example_digit, to_mnist_frame

    frame = np.round(to_mnist_frame(example_digit()) * 255) / 255
    (folder / "seven.png").write_bytes(photo_png(SEVEN))
    return [str(grey_png(frame, folder / "frame.png")), str(folder / "seven.png")]


def read_classes(line: str) -> dict[str, tuple[str, float]]:
    """A `say_classes` line: {model: (class, probability)}."""
    said = line.split(": ", 1)[1].split("; ")
    return {
        name: (label.rsplit(" (", 1)[0], float(label.rsplit(" (", 1)[1].rstrip(")")))
        for name, label in (part.split(": ", 1) for part in said)
    }


def reads_as_the_app(line: str, app_frame: dict) -> None:
    """predict.py's line for the frame against the app's answers (class, probability)."""
    said = read_classes(line)
    assert set(said) == set(app_frame)
    for name, (label, probability) in app_frame.items():
        assert said[name][0] == label
        assert abs(said[name][1] - probability) <= 1e-4


def test_the_standalone_model_files_name_what_the_specs_name():
    """A model.py that runs alone keeps its own copy of names its lab's spec holds (the spec is
    torch-free, the model file core-free): the two must agree."""
    from core.labs.mnist_rows.model import READERS
    from core.labs.mnist_rows.spec import ROW_MODELS

    assert tuple(READERS) == ROW_MODELS
    from core.labs.forecast.model import RECURRENT
    from core.labs.forecast.spec import CELLS

    assert tuple(RECURRENT) == CELLS
    from core.bit_codes import CODE_BITS
    from core.labs.binary_prior.model import BITS

    assert BITS == CODE_BITS
    from core.labs.cnn_architectures.model import NETWORKS
    from core.labs.cnn_architectures.spec import ARCHITECTURES

    assert (*NETWORKS, "efficientnet") == ARCHITECTURES
    from core.labs.batch_norm.model import WITH_BATCH_NORM as COPIES_WITH_BATCH_NORM
    from core.labs.batch_norm.spec import WITH_BATCH_NORM

    assert COPIES_WITH_BATCH_NORM == WITH_BATCH_NORM
    from core.labs.detection.model import SCENE_SIZE as DETECTED_SIZE
    from core.scenes import SCENE_SIZE

    assert DETECTED_SIZE == SCENE_SIZE
    from core import pretrained
    from core.labs.transfer_learning.model import MEAN, STD

    assert (MEAN, STD) == (pretrained.MEAN, pretrained.STD)


@case("mnist-rows", "all", lambda folder, trained: [digit_pictures(folder)])
def mnist_rows_answers(folder, trained, answers):
    from core.labs.mnist_rows.interactions import read_frame

    frame_line, photo_line = ran(answers)[0].splitlines()
    frame = read_grey(folder / "frame.png")
    app = {r.model: (r.probabilities.label, r.probabilities.confidence) for r in read_frame(trained, frame)}
    reads_as_the_app(frame_line, app)
    # A photo is framed by pictures.py, not quite as the app frames it (it centres by mass, with
    # Lanczos), so weaker readers may differ on it: most still read the seven.
    assert [label for label, _ in read_classes(photo_line).values()].count("7") >= 3


def classifies_as_the_app(models_of: Callable[[TrainedModel], dict[str, torch.nn.Module]]):
    """The check of a picture classifier's predict.py (or of several side by side): on an MNIST
    frame, each model's class and probability as the app's models give them."""

    def check(folder: Path, trained: TrainedModel, answers: list[dict[str, str]]) -> None:
        frame_line, photo_line = ran(answers)[0].splitlines()
        frame = torch.from_numpy(read_grey(folder / "frame.png"))[None]
        classes = trained.config.get("classes", [str(d) for d in range(10)])
        app = {}
        with torch.no_grad():
            for name, model in models_of(trained).items():
                p = model.eval()(frame).softmax(-1)[0]
                app[name] = (classes[int(p.argmax())], float(p.max()))
        reads_as_the_app(frame_line, app)
        assert len(read_classes(photo_line)) == len(app)

    return check


for lab_id, variant, models_of in (
    ("optimisers", "all", lambda trained: dict(trained.model.items())),
    ("gradient-descent", "all", lambda trained: dict(trained.model.items())),
    ("early-stopping", "default", lambda trained: {"mlp": trained.model}),
    ("look-at-data", "mnist", lambda trained: {"mlp": trained.model}),
):
    case(lab_id, variant, lambda folder, trained: [digit_pictures(folder)])(classifies_as_the_app(models_of))


# --- the newest labs: pictures in colour, boxes, masks, translated emoji -------------------------


@case("batch-norm", "all", garment_jobs)
def batch_norm_answers(folder, trained, answers):
    from core.data import load_images

    *lines, light = ran(answers)[0].splitlines()
    pictures = load_images("fashion-mnist").test_images[list(GARMENTS)].float() / 255
    classes = trained.config["classes"]
    with torch.no_grad():  # each copy in evaluation mode: its batch norms' running statistics
        said = {name: copy.eval()(pictures).softmax(-1) for name, copy in trained.model.items()}
    assert len(said) == 4
    for row, line in enumerate(lines):
        reads_as_the_app(
            line, {name: (classes[int(p[row].argmax())], float(p[row].max())) for name, p in said.items()}
        )
    assert light.split(": ", 1)[1] == lines[0].split(": ", 1)[1]  # white paper turned round


SCENE_LAYOUTS = [("2 at 4,4; 8 at 34,32 size 28", "astronaut"), ("7 at 6,8; 3 at 36,30 size 26", "coffee")]


def scene_jobs(folder: Path, trained: TrainedModel, *options: str) -> list[list[str]]:
    """Composed 64x64 scenes saved as RGB PNGs (as a student's upload), their paths as a job."""
    from core import scenes

    classes = scenes.object_classes(trained.config.get("objects", "digits"))
    paths = []
    for i, (objects, background) in enumerate(SCENE_LAYOUTS):
        scene = scenes.compose(scenes.parse_placements(objects, classes), background)
        levels = (np.clip(scene.image, 0, 1) * 255).round().astype(np.uint8)
        Image.fromarray(levels, mode="RGB").save(folder / f"scene-{i}.png")
        paths.append(str(folder / f"scene-{i}.png"))
    return [[*paths, *options]]


def uploaded(path: Path) -> np.ndarray:
    """A picture as the app's photo interactions read an upload: (64, 64, 3) in [0, 1]."""
    from core.imaging import read_photo
    from core.scene_views import square_scene

    return square_scene(read_photo(path.read_bytes()))


@case(
    "detection",
    "digits",
    lambda folder, trained: [
        *scene_jobs(folder, trained),
        *scene_jobs(folder, trained, "--score", "0.05", "--nms", "0.3"),
    ],
)
def detection_answers(folder, trained, answers):
    from core.labs.detection.model import candidates
    from core.labs.detection.train import detections  # the app's: torchvision's NMS

    classes = trained.config["classes"]
    for out, (score, nms) in zip(ran(answers), ((0.3, 0.5), (0.05, 0.3)), strict=True):
        lines = out.splitlines()
        for i in range(len(SCENE_LAYOUTS)):
            pixels = torch.from_numpy(uploaded(folder / f"scene-{i}.png")).permute(2, 0, 1)[None].contiguous()
            app = detections(candidates(trained.model, pixels)[0], score, nms)
            said = [
                line.split(": ", 1)[1] for line in lines if line.startswith(str(folder / f"scene-{i}.png"))
            ]
            assert len(said) == len(app.scores) > 0
            for line, box, p, label in zip(
                said, app.boxes.tolist(), app.scores.tolist(), app.labels.tolist(), strict=True
            ):
                name, value, _, edges = line.split(" ", 3)
                assert name == classes[label] and abs(float(value) - p) <= 1e-4
                np.testing.assert_allclose([float(v) for v in edges.split(", ")], box, atol=1e-2)


def test_the_detectors_nms_in_plain_torch_keeps_what_torchvisions_keeps():
    from torchvision.ops import batched_nms

    from core.labs.detection.model import class_nms

    generator = torch.Generator().manual_seed(0)
    corners = torch.rand(200, 2, generator=generator) * 48  # scattered boxes
    scattered = torch.cat([corners, corners + 4 + torch.rand(200, 2, generator=generator) * 16], dim=1)
    # Boxes piled on four spots: long chains of boxes dropping one another.
    corners = torch.rand(4, 2, generator=generator)[torch.arange(200) % 4] * 40
    corners = corners + torch.randn(200, 2, generator=generator) * 2
    piled = torch.cat([corners, corners + 12 + torch.randn(200, 2, generator=generator)], dim=1)
    scores = torch.rand(200, generator=generator)
    for boxes, classes in ((scattered, 3), (piled, 2)):
        labels = torch.randint(0, classes, (200,), generator=generator)
        for iou in (0.1, 0.3, 0.5, 0.8):
            kept = class_nms(boxes, scores, labels, iou)
            assert torch.equal(kept, batched_nms(boxes, scores, labels, iou))
            assert len(kept) < 200 or iou == 0.8  # it dropped boxes
    assert len(class_nms(piled[:0], scores[:0], labels[:0], 0.5)) == 0


@case("segmentation", "digits", lambda folder, trained: scene_jobs(folder, trained))
def segmentation_answers(folder, trained, answers):
    from core.labs.segmentation.interactions import masks_of

    lines = ran(answers)[0].splitlines()
    assert len(lines) == len(SCENE_LAYOUTS)
    for i in range(len(SCENE_LAYOUTS)):
        app = masks_of(trained, uploaded(folder / f"scene-{i}.png"), 0.5)
        assert set(app) == {"unet", "no_skips"}
        for name, mask in app.items():
            assert 0 < mask.mean() < 0.5  # some object, mostly photo
            assert np.array_equal(read_grey(folder / f"scene-{i}-{name}.png"), mask.astype(np.float32))


EMOJI = ("🍕", "🐱")


def emoji_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.emoji import load_emoji

    emoji = load_emoji()
    paths = []
    for char, style in zip(EMOJI, ("noto", "openmoji"), strict=True):
        picture = emoji.pictures(style)[emoji.index(char)]
        Image.fromarray(picture, mode="RGB").save(folder / f"{style}.png")
        paths.append(str(folder / f"{style}.png"))
    return [[paths[0]], [paths[1], "--direction", "ba"]]


@case("cyclegan", "small", emoji_jobs)
def cyclegan_answers(folder, trained, answers):
    from core.imaging import read_photo
    from core.labs.cyclegan.interactions import DIRECTIONS, translate_picture

    ran(answers)
    for style, way in (("noto", "ab"), ("openmoji", "ba")):
        (direction,) = [name for name, (w, _, _) in DIRECTIONS.items() if w == way]
        there, back = translate_picture(
            trained, read_photo((folder / f"{style}.png").read_bytes()), direction
        )["trip"][1:3]
        mine = np.asarray(Image.open(folder / f"{style}-{way}.png"), dtype=np.float32) / 255
        assert np.abs(mine - there[0]).max() <= 1 / 255 + 1e-6
        assert np.abs(mine - read_rgb(folder / f"{style}.png")).max() > 0.1  # it changed something
        mine_back = np.asarray(Image.open(folder / f"{style}-{way}-back.png"), dtype=np.float32) / 255
        assert np.abs(mine_back - back[0]).max() <= 1 / 255 + 1e-6


def read_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255


def photo_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    """Garments in colour, as a student's photos: one whose shorter side is the 110 pixels the
    app scales to (read exactly as in the app), one of 150x120 that both scale."""
    from core.data import load_images

    data = load_images("fashion-mnist")
    paths = []
    for i, (size, tint) in enumerate((((110, 130), (1.0, 0.6, 0.3)), ((150, 120), (0.4, 0.7, 1.0)))):
        grey = Image.fromarray(data.test_images[GARMENTS[i]].numpy()).resize(size, Image.Resampling.BICUBIC)
        rgb = (np.asarray(grey, dtype=np.float32)[..., None] * np.array(tint)).round().astype(np.uint8)
        Image.fromarray(rgb, mode="RGB").save(folder / f"photo-{i}.png")
        paths.append(str(folder / f"photo-{i}.png"))
    return [paths]


@case("transfer-learning", "fashion", photo_jobs)
def transfer_learning_answers(folder, trained, answers):
    from core.imaging import read_photo
    from core.labs.transfer_learning.interactions import classify

    assert (folder / "trunk.safetensors").is_file() and (folder / "efficientnet_lite.py").is_file()
    assert "trunk.safetensors" in (folder / "EXPORT.md").read_text()
    lines = ran(answers)[0].splitlines()
    for i, line in enumerate(lines):
        app = classify(trained, read_photo((folder / f"photo-{i}.png").read_bytes()))["prediction"]
        label, rest = line.split(": ", 1)[1].split(" (", 1)
        said = [float(part.rsplit(" ", 1)[1]) for part in rest.split("; ", 1)[1].split(", ")]
        assert label == app.label
        # The first is not scaled (exactly the app's square); the second is scaled by PyTorch's
        # bicubic filter, not PIL's: close, not equal.
        np.testing.assert_allclose(said, app.values, atol=1e-4 if i == 0 else 0.05)


def test_efficientnet_lite_in_plain_torch_is_timms_network():
    """The export's own EfficientNet-Lite0 (no timm) gives timm's features with its weights."""
    from core import pretrained
    from core.standalone.efficientnet_lite import EfficientNetLite0

    timm_network = pretrained.efficientnet_lite0().eval()
    mine = EfficientNetLite0().eval()
    mine.load_state_dict(
        {k: v for k, v in timm_network.state_dict().items() if not k.startswith("classifier")}
    )
    pictures = torch.rand(2, 3, 64, 80, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        for network in (timm_network, mine):
            network.features = network.bn2(
                network.conv_head(network.blocks(network.bn1(network.conv_stem(pictures))))
            )
    assert mine.features.shape == (2, 1280, 2, 3)
    torch.testing.assert_close(mine.features, timm_network.features, atol=1e-5, rtol=0)


# --- the first labs' predict.py runs, in the same subprocess ------------------------------------


def seven_job(folder: Path, trained: TrainedModel) -> list[list[str]]:
    (folder / "seven.png").write_bytes(photo_png(SEVEN))
    return [[str(folder / "seven.png")]]


@case("digits", "fast-cnn", seven_job)
def digits_answers(folder, trained, answers):
    (out,) = ran(answers)
    digit = int(out.split(": ")[1].split()[0])
    app = get_lab("digits").interaction("classify")(
        trained, {"image": read_upload((folder / "seven.png").read_bytes())}
    )
    assert str(digit) == app["prediction"].label == "7"


def noisy_digit_jobs(folder: Path, trained: TrainedModel) -> list[list[str]]:
    """A noisy digit as white ink on black (as MNIST) and as dark ink on white paper."""
    from core.imaging import example_digit, to_mnist_frame
    from core.labs.denoise.interactions import corrupt_and_denoise

    noisy = corrupt_and_denoise(trained, to_mnist_frame(example_digit()), "gaussian", 0.5, 3).noisy
    return [[str(grey_png(noisy, folder / "black.png")), str(grey_png(1 - noisy, folder / "white.png"))]]


@case("denoise", "skip-ae", noisy_digit_jobs)
def denoise_answers(folder, trained, answers):
    from core.labs.denoise.interactions import denoise

    ran(answers)
    assert (folder / "pictures.py").is_file()
    app = denoise(trained, read_grey(folder / "black.png"))  # the noisy digit as the PNG holds it
    assert app.max() > 0.5  # a digit came out, not a blank page
    assert np.abs(read_grey(folder / "black-denoised.png") - app).max() <= 1 / 255 + 1e-6
    assert np.abs(1 - read_grey(folder / "white-denoised.png") - app).max() <= 1 / 255 + 1e-6


def houses_job(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.labs.house_prices.interactions import heldout_predictions

    houses = heldout_predictions(trained)[0].heldout_houses.iloc[:6]
    houses.drop(columns=["Sale_Price"], errors="ignore").to_csv(folder / "houses.csv", index=False)
    return [[str(folder / "houses.csv")]]


@case("house-prices", "clean", houses_job)
def house_prices_answers(folder, trained, answers):
    from core.labs.house_prices.interactions import heldout_predictions

    predicted = heldout_predictions(trained)[1]
    app = np.stack([predicted["mse"][:6], predicted["mae"][:6]], axis=1)
    np.testing.assert_allclose(csv_rows(ran(answers)[0]), app, rtol=1e-4)


def passengers_job(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.labs.regularisation.train import data_for

    rows = data_for(trained).heldout_rows.iloc[:40]
    assert rows["age"].isna().any()  # an unknown age among them
    rows.to_csv(folder / "passengers.csv", index=False)
    return [[str(folder / "passengers.csv")]]


@case("regularisation", "default", passengers_job)
def regularisation_answers(folder, trained, answers):
    from core.labs.regularisation.model import MODELS as MODEL_ORDER
    from core.labs.regularisation.spec import MODELS
    from core.labs.regularisation.train import data_for, probabilities

    assert MODEL_ORDER == MODELS  # model.py's own copy, so that it runs alone
    app = probabilities(trained.model, data_for(trained).x_heldout[:40])
    np.testing.assert_allclose(
        csv_rows(ran(answers)[0]), np.stack([app[name] for name in MODELS], axis=1), atol=2e-6
    )


def customers_job(folder: Path, trained: TrainedModel) -> list[list[str]]:
    from core.labs.imbalanced.train import data_for

    data_for(trained).heldout_customers.iloc[:8].to_csv(folder / "customers.csv", index=False)
    return [[str(folder / "customers.csv")]]


@case("imbalanced", "default", customers_job)
def imbalanced_answers(folder, trained, answers):
    from core.labs.imbalanced.train import data_for, probabilities

    said = csv_rows(ran(answers)[0])
    app = probabilities(trained.model, data_for(trained).x_heldout[:8])
    np.testing.assert_allclose(said, np.stack(list(app.values()), axis=1), atol=2e-6)
    assert said.shape == (8, len(trained.config["methods"]))


VAE_CODES = np.array([[0.0, 0.0], [1.5, -0.5], [-2.0, 1.0]], dtype=np.float32)


def mnist_frame_png(folder: Path, name: str) -> str:
    from core.imaging import example_digit, to_mnist_frame

    return str(grey_png(to_mnist_frame(example_digit()), folder / name))


@case(
    "vae",
    "mlp-2d",
    lambda folder, trained: [
        ["decode", *(",".join(map(str, z)) for z in VAE_CODES)],
        ["reconstruct", mnist_frame_png(folder, "digit.png")],
    ],
)
def vae_answers(folder, trained, answers):
    from core.labs.vae.latent import decode, encode

    _, out = ran(answers)
    sheet = read_grey(folder / "decoded.png")  # three 28x28 digits, a 2-pixel gap between
    drawn = np.stack([sheet[:, i * 30 : i * 30 + 28] for i in range(3)])
    assert np.abs(drawn - decode(trained, VAE_CODES)).max() <= 1 / 255 + 1e-6
    app = encode(trained, read_grey(folder / "digit.png"))  # the frame as the PNG holds it
    means = [float(pair.split(" ± ")[0]) for pair in out.split("code ")[1].split(";")[0].split(", ")]
    np.testing.assert_allclose(means, app.means[0], atol=1e-4)
    assert (
        np.abs(read_grey(folder / "digit-reconstructed.png") - app.reconstructions[0]).max() <= 1 / 255 + 1e-6
    )


@case(
    "gan",
    "cdcgan",
    lambda folder, trained: [
        ["--count", "12", "--seed", "7", "--digit", "3", "--out", "threes.png"],
        ["--count", "10", "--seed", "7", "--out", "each.png"],
    ],
)
def gan_answers(folder, trained, answers):
    from core.labs.gan.sampling import generate_tensor

    ran(answers)
    model = trained.model
    generator = torch.Generator().manual_seed(7)  # predict.py's rule: z ~ N(0, I) row by row
    z = torch.stack([torch.randn(model.latent_dim, generator=generator) for _ in range(12)])
    threes = torch.cat([z, torch.nn.functional.one_hot(torch.full((12,), 3), 10).float()], dim=1)
    each = torch.cat([z[:10], torch.eye(10)], dim=1)  # digits 0 to 9 in turn
    for name, latents, count in (("threes.png", threes, 12), ("each.png", each, 10)):
        sheet = read_grey(folder / name)  # ten to a row, 28x28 each, a 2-pixel gap between
        drawn = np.stack(
            [
                sheet[30 * (i // 10) : 30 * (i // 10) + 28, 30 * (i % 10) : 30 * (i % 10) + 28]
                for i in range(count)
            ]
        )
        assert np.abs(drawn - generate_tensor(model, latents)).max() <= 1 / 255 + 1e-6
    reader = get_lab("digits").interaction("classify")
    classifier = models.bundled(get_lab("digits"), "fast-cnn")
    read = [
        reader(classifier, {"image": picture})["prediction"].label
        for picture in generate_tensor(model, threes)
    ]
    assert read.count("3") >= 9  # the conditional model drew threes when asked


@case(
    "charlstm",
    "default",
    lambda folder, trained: [
        ["The qu", "--temperature", "0.8", "--count", "4", "--seed", "5"],
        ["Deep", "--greedy"],
    ],
)
def charlstm_answers(folder, trained, answers):
    from core.labs.charlstm.interactions import generate

    sampled, greedy = (out.splitlines() for out in ran(answers))
    assert [line.split("    (")[0] for line in sampled] == generate(trained, "The qu", 0.8, 4, 5).texts
    assert [line.split("    (")[0] for line in greedy] == generate(trained, "Deep", 0, 1, 0).texts
    assert greedy[0].endswith("(a training sentence)")  # the bundled model learnt its sentences


BIT_CODES = ["0" * 48, "01" * 24]


@case(
    "binary-ae",
    "fast",
    lambda folder, trained: [["encode", mnist_frame_png(folder, "digit.png")], ["decode", *BIT_CODES]],
)
def binary_ae_answers(folder, trained, answers):
    from core.bit_codes import decode
    from core.labs.binary_ae.interactions import encode_frame

    out, _ = ran(answers)
    app = encode_frame(trained, read_grey(folder / "digit.png"))
    assert out.split(": ")[1].split(";")[0] == app.bits_text.replace(" ", "")
    assert np.abs(read_grey(folder / "digit-rebuilt.png") - app.reconstruction).max() <= 1 / 255 + 1e-6
    sheet = read_grey(folder / "decoded.png")  # two 32x32 digits, a 2-pixel gap between
    drawn = np.stack([sheet[:, 0:32], sheet[:, 34:66]])
    assert np.abs(drawn - decode(trained, BIT_CODES)).max() <= 1 / 255 + 1e-6


# Last: every case above is declared by now.
@pytest.mark.parametrize("lab_id", list(CASES))
def test_the_lab_runs_alone_and_answers_as_the_app_does(lab_id, standalone_answers):
    folder, trained, answers = standalone_answers[lab_id]
    CASES[lab_id].check(folder, trained, answers)
