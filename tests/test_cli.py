"""The command line: what a teacher scripts and what CI runs."""

import io
import json
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw

from core.cli import main

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_module_entry_point_lists_the_labs():
    result = subprocess.run(
        [sys.executable, "-m", "core", "list"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    from core.catalogue import ready_specs

    assert all(spec.id in result.stdout for spec in ready_specs()) and "ready" in result.stdout


def test_list_json_carries_the_specs(capsys):
    code, out, _ = run(capsys, "list", "--json")
    labs = {lab["id"]: lab for lab in json.loads(out)}
    assert code == 0 and labs["digits"]["params"]["epochs"]["low"] == 1


@pytest.mark.slow
def test_train_prints_one_json_line_with_the_checkpoint(capsys, tmp_path, data_dir):
    out_dir = tmp_path / "model"
    code, out, err = run(
        capsys,
        "train",
        "digits",
        "--set",
        "epochs=1",
        "--set",
        "batch_size=256",
        "--data-dir",
        data_dir,
        "--time-budget",
        "2",
        "--out",
        str(out_dir),
    )
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["lab"] == "digits" and summary["checkpoint"] == str(out_dir)
    assert summary["metrics"]["heldout_size"] == 3604 and summary["seconds"] > 0
    assert summary["metrics"]["stopped_by"] in ("time budget", "completed")

    code, out, _ = run(
        capsys, "evaluate", "digits", "--checkpoint", str(out_dir), "--data-dir", data_dir, "--json"
    )
    evaluation = json.loads(out)
    assert code == 0
    assert evaluation["heldout_accuracy"] == pytest.approx(summary["metrics"]["heldout_accuracy"], abs=1e-4)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "digits", "--set", "epochs=0"], "out of range"),
        (["train", "digits", "--set", "colour=blue"], "unknown setting"),
        (["train", "no-such-lab"], "unknown lab"),
        (["evaluate", "digits", "--checkpoint", "/nonexistent"], "no checkpoint folder"),
        (["digits", "feature-maps", "--index", "seven"], "Held-out image: expected a number"),
        (["digits", "feature-maps", "--index", "4000"], "pick a number from 0 to"),
        (["digits", "filters", "--checkpoint", "/nonexistent"], "no checkpoint folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_two(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def png(draw) -> bytes:
    image = Image.new("L", (300, 300), 235)  # dark ink on light paper
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_classify_gives_one_object_per_image(capsys, tmp_path):
    one = tmp_path / "one.png"
    one.write_bytes(png(lambda d: d.line([(150, 40), (150, 260)], fill=20, width=22)))
    seven = tmp_path / "seven.png"
    seven.write_bytes(png(lambda d: d.line([(80, 50), (220, 50), (120, 260)], fill=20, width=22)))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    code, out, _ = run(capsys, "digits", "classify", str(one), str(seven), str(broken), "--json")
    results = [json.loads(line) for line in out.strip().splitlines()]
    assert [r.get("prediction", {}).get("prediction") for r in results] == ["1", "7", None]
    assert len(results[0]["prediction"]["probabilities"]) == 10
    assert results[0]["file"] == str(one) and results[0]["model"] == "fast-cnn"
    assert "not a readable" in results[2]["error"]
    assert code == 1  # one file failed


def test_an_interaction_writes_its_picture_with_out(capsys, tmp_path):
    grid = tmp_path / "filters.png"
    code, out, _ = run(capsys, "digits", "filters", "--model", "mlp", "--out", str(grid))
    assert code == 0 and grid.stat().st_size > 0
    assert Image.open(grid).size[0] > 28 * 8  # 64 units' 28x28 weights, tiled
    assert "784 input weights" in out
    raw = tmp_path / "maps.npy"
    assert run(capsys, "digits", "feature-maps", "--index", "3", "--out", str(raw))[0] == 0
    assert __import__("numpy").load(raw).shape == (28, 28)  # the input picture comes first


@pytest.fixture
def lab_selection(monkeypatch):
    """Sets DLL_LABS for one test; the registry reads it once per process, so it is read again
    before and after."""
    from core.registry import lab_packages

    def select(value: str) -> None:
        monkeypatch.setenv("DLL_LABS", value)
        lab_packages.cache_clear()

    yield select
    monkeypatch.delenv("DLL_LABS", raising=False)
    lab_packages.cache_clear()


def test_dll_labs_serves_only_the_labs_it_names(lab_selection, capsys):
    lab_selection(" vae, digits ")
    assert main(["list", "--json"]) == 0
    assert [lab["id"] for lab in json.loads(capsys.readouterr().out)] == ["digits", "vae"]


def test_dll_labs_naming_no_lab_is_one_line_and_exit_code_two(lab_selection, capsys):
    lab_selection("digits,digts")
    assert main(["list"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: DLL_LABS names no lab 'digts'; the labs are:") and "digits" in error


def test_every_help_page_prints(capsys):
    """`--help` at every level: the commands, each lab, each interaction (argparse formats help
    with %, so a summary saying "3.3% do" once broke the top page with a TypeError)."""
    from core.registry import ready_labs

    pages = [["--help"]] + [
        argv
        for lab in ready_labs()
        for argv in ([lab.spec.id, "--help"], *([lab.spec.id, i.name, "--help"] for i in lab.interactions))
    ]
    for argv in pages:
        with pytest.raises(SystemExit) as ended:
            main(argv)
        assert ended.value.code == 0, argv
        assert "usage:" in capsys.readouterr().out, argv
