"""Command line: `python -m core list | train | evaluate | push`, and every lab's interactions
as `python -m core LAB INTERACTION [INPUTS] [--json]`, generated from their declarations.

Every command that a script might read ends with JSON on stdout; progress and messages go to
stderr. Errors are one readable line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from core.catalogue import catalogue
from core.errors import USER_ERRORS
from core.events import EpochEnd, Progress, Status
from core.registry import LabSelectionError, get_lab, ready_labs
from core.runner import TrainingRunner
from core.specs import parse_assignments


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()  # reads the labs: DLL_LABS may name one that does not exist
    except LabSelectionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Deep Learning Labs, headless.")
    commands = parser.add_subparsers(dest="command")

    listing = commands.add_parser("list", help="the labs, ready and planned")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    train = commands.add_parser("train", help="train a lab's model and save a checkpoint")
    train.add_argument("lab")
    train.add_argument(
        "--set",
        dest="settings",
        action="append",
        metavar="KEY=VALUE",
        help="a hyperparameter (repeatable); see `python -m core list --json`",
    )
    train.add_argument("--data-dir", help="folder with torchvision's layout (default: $DLL_DATA_DIR)")
    train.add_argument(
        "--time-budget",
        type=float,
        metavar="SECONDS",
        help="stop training after this many seconds and keep the model",
    )
    train.add_argument("--out", help="checkpoint folder to write (default: a new run folder)")
    train.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="train on the Ray cluster at ADDRESS (host:port of its head; default: $DLL_RAY_ADDRESS, "
        "else here); needs requirements-ray.txt",
    )
    train.add_argument(
        "--lesson",
        metavar="LINK",
        help="train under a lesson link (or its token): its settings, its locks enforced",
    )
    train.add_argument("--answer", default="", help="the answer to the lesson's question, if it asks one")
    train.set_defaults(handler=cmd_train)

    lesson = commands.add_parser("lesson", help="make or read a lesson link (a teacher's setup of a lab)")
    lesson_actions = lesson.add_subparsers(dest="action", required=True)
    make = lesson_actions.add_parser("make", help="a link to a lab with these settings")
    make.add_argument("lab")
    make.add_argument("--set", dest="settings", action="append", metavar="KEY=VALUE", help="a setting")
    make.add_argument("--lock", action="append", default=[], metavar="NAME", help="shown, cannot change")
    make.add_argument("--hide", action="append", default=[], metavar="NAME", help="set, not shown")
    make.add_argument("--question", default="", help="a question to answer before Train")
    make.add_argument("--base", default="", help="the app's address, e.g. http://school:8501")
    make.set_defaults(handler=cmd_lesson_make)
    show = lesson_actions.add_parser("show", help="check a lesson link and print its setup")
    show.add_argument("link", help="the link, or only its token")
    show.set_defaults(handler=cmd_lesson_show)

    evaluate = commands.add_parser("evaluate", help="held-out metrics of a checkpoint")
    evaluate.add_argument("lab")
    evaluate.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
    evaluate.add_argument("--data-dir")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(handler=cmd_evaluate)

    push = commands.add_parser("push", help="upload a checkpoint folder to the Hugging Face Hub")
    push.add_argument("checkpoint")
    push.add_argument("repo_id", help="e.g. your-name/digits-fast-cnn")
    push.set_defaults(handler=cmd_push)

    export = commands.add_parser("export", help="write a model as one zip to take away (ONNX, predict.py)")
    export.add_argument("source", help="a checkpoint folder, or LAB or LAB:VARIANT for a bundled model")
    export.add_argument("--out", help="the zip to write (default: <checkpoint name>.zip here)")
    export.set_defaults(handler=cmd_export)

    runs = commands.add_parser("runs", help="the trainings kept on disk: list, show, compare")
    runs.add_argument("action", choices=("list", "show", "compare"))
    runs.add_argument("runs", nargs="*", help="run folders (or names in the runs folder)")
    runs.add_argument("--lab", help="list only this lab's runs")
    runs.add_argument("--root", help="the runs folder (default: $DLL_RUNS_DIR, the trainer's)")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_runs)

    from core.cli_interactions import add_lab_commands

    for lab in ready_labs():  # `python -m core LAB INTERACTION`, from each lab's declaration
        add_lab_commands(commands, lab)
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    topics = catalogue()
    if args.json:
        labs = [
            {
                "id": s.id,
                "title": s.title,
                "topic": s.topic,
                "status": s.status,
                "interactions": _interactions(s.id),
                "params": {
                    p.name: {
                        "kind": p.kind,
                        "default": p.default,
                        "low": p.low,
                        "high": p.high,
                        "choices": list(p.choices),
                        "help": p.help,
                    }
                    for p in s.params
                },
            }
            for specs in topics.values()
            for s in specs
        ]
        print(json.dumps(labs, indent=2))
        return 0
    for topic, specs in topics.items():
        print(topic)
        for spec in specs:
            print(f"  {spec.id:<16} {spec.status:<8} {spec.title}")
    return 0


def _interactions(lab_id: str) -> list[dict[str, Any]] | None:
    from core.interactions import describe

    return [describe(interaction) for interaction in get_lab(lab_id).interactions]


def cmd_train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    lab = get_lab(args.lab)
    params = parse_assignments(args.settings)
    if args.lesson:
        from core import lessons

        lesson = lessons.read(args.lesson, lab)
        if lesson.question and not args.answer.strip():
            asked = f"this lesson asks a question before Train (--answer): {lesson.question}"
            raise lessons.LessonError(asked)
        params = lesson.check(lab.spec.validate(lesson.settings | params))
    runner = TrainingRunner(max_concurrent=1, ray_address=args.ray)
    job = runner.submit(
        lab, params, owner="cli", data_dir=args.data_dir, time_budget=args.time_budget, out_dir=args.out
    )
    # Ctrl-C asks for a clean stop: the model trained so far is still evaluated and saved.
    previous = signal.signal(signal.SIGINT, lambda *_: job.stop())
    bar = None
    try:
        for event in job.stream():
            if isinstance(event, Progress):
                if bar is None:
                    bar = tqdm(total=event.total_steps, desc=lab.spec.id, unit="step", file=sys.stderr)
                bar.update(event.step - bar.n)
                bar.set_postfix(loss=f"{event.metrics['loss']:.3f}", refresh=False)
            elif isinstance(event, EpochEnd):
                shown = ", ".join(f"{k} {v:.4f}" for k, v in event.metrics.items())
                (bar.write if bar else print)(f"epoch {event.epoch}: {shown}", file=sys.stderr)
            elif isinstance(event, Status) and event.state in ("stopped", "failed"):
                print(event.message, file=sys.stderr)
        job.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
    if job.state == "failed" or job.result is None:
        print(f"error: {job.message}", file=sys.stderr)
        return 1
    if job.checkpoint_dir:  # the curves, for `python -m core runs compare` later
        from core.history import TrainingHistory
        from core.runs import save_history

        history = TrainingHistory()
        history.extend(job.events_since(0))
        save_history(job.checkpoint_dir, history)
    seconds = (job.finished or 0) - (job.started or 0)
    summary: dict[str, Any] = {
        "lab": lab.spec.id,
        "checkpoint": str(job.checkpoint_dir) if job.checkpoint_dir else None,
        "seconds": round(seconds, 2),
        "state": job.state,
        "params": job.params,
        "metrics": job.result.metrics,
    }
    print(json.dumps(summary))
    return 0 if job.checkpoint_dir else 1


def cmd_lesson_make(args: argparse.Namespace) -> int:
    from core import lessons

    lab = get_lab(args.lab)
    lesson = lessons.make(lab, parse_assignments(args.settings), args.lock, args.hide, args.question)
    print(lesson.link(args.base))
    return 0


def cmd_lesson_show(args: argparse.Namespace) -> int:
    from core import lessons

    lesson = lessons.read(args.link)
    shown = {
        "lab": lesson.lab,
        "settings": lesson.settings,
        "locked": list(lesson.locked),
        "hidden": list(lesson.hidden),
        "question": lesson.question,
    }
    print(json.dumps(shown, indent=2))
    return 0


def _load(lab_id: str, checkpoint: str | None):
    from core import models

    lab = get_lab(lab_id)
    return lab, lab.load(checkpoint) if checkpoint else models.choose(lab, None)


def cmd_evaluate(args: argparse.Namespace) -> int:
    lab, trained = _load(args.lab, args.checkpoint)
    metrics = lab.evaluate(trained, args.data_dir)
    metrics["checkpoint"] = str(trained.path)
    if args.json:
        print(json.dumps(metrics))
    else:
        for key, value in metrics.items():
            print(f"{key}: {value}")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from core.checkpoints import push_to_hub, read_checkpoint

    read_checkpoint(args.checkpoint)  # refuse to publish something we could not load back
    try:
        print(push_to_hub(args.checkpoint, args.repo_id))
    except Exception as error:  # network, auth: report, do not trace
        print(f"error: could not push to the Hub: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a model as one zip to take away (core.export): a checkpoint folder, or a lab's
    bundled model (LAB or LAB:VARIANT)."""
    from core import models
    from core.checkpoints import read_checkpoint
    from core.export import export_archive

    source = Path(args.source)
    if source.is_dir():
        lab = get_lab(str(read_checkpoint(source).config.get("lab")))
        trained = lab.load(source)
    else:
        lab_id, _, variant = args.source.partition(":")
        lab = get_lab(lab_id)
        trained = models.choose(lab, variant or None)
    out = Path(args.out or f"{Path(trained.path).name}.zip")
    out.write_bytes(export_archive(lab, trained))
    print(out)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    """`runs list` (newest first), `runs show RUN`, `runs compare RUN RUN...`: settings with the
    differences first, final held-out figures side by side."""
    from core import runs as runs_module

    root = Path(args.root or TrainingRunner().out_root)
    if args.action == "list":
        listed = runs_module.list_runs(root, args.lab)
        rows = [
            {
                "run": run.label,
                "lab": run.lab,
                "seed": run.seed,
                "seconds": run.seconds,
                "checkpoint": run.checkpoint,
            }
            for run in listed
        ]
        if args.json:
            print(json.dumps(rows))
        else:
            print(f"{len(rows)} runs in {root}")
            for row in rows:
                print(f"{row['run']}  {row['lab']}  seed {row['seed']}  {row['seconds']} s")
        return 0
    folders = [Path(name) if Path(name).is_dir() else root / name for name in args.runs]
    loaded = [runs_module.load_run(folder) for folder in folders]
    if args.action == "show":
        if len(loaded) != 1:
            raise runs_module.RunError("show takes one run")
        run = loaded[0]
        shown = {"run": run.label, "lab": run.lab, "params": run.params, "metrics": run.metrics}
        print(json.dumps(shown) if args.json else "\n".join(f"{k}: {v}" for k, v in shown.items()))
        return 0
    runs_module.check_comparable(loaded)
    settings, figures = runs_module.settings_table(loaded), runs_module.figures_table(loaded)
    if args.json:
        print(
            json.dumps(
                {"settings": settings, "figures": figures, "curves": runs_module.shared_metrics(loaded)}
            )
        )
        return 0
    labels = [run.label for run in loaded]
    print("setting | " + " | ".join(labels))
    for row in settings:
        mark = "  <- differs" if row["differs"] else ""
        print(f"{row['setting']} | " + " | ".join(str(row[label]) for label in labels) + mark)
    print()
    print("figure | " + " | ".join(labels))
    for row in figures:
        print(f"{row['figure']} | " + " | ".join(str(row[label]) for label in labels))
    return 0
