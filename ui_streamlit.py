"""Streamlit pieces every lab page shares: controls drawn from a lab's spec, the live view of a
training, the choice between the bundled and the session's model, and image grids.

Pages stay layout only; anything that does not need Streamlit belongs in core/ instead.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from core import (
    charts,
    controls,
    image_classes,
    job_view,
    lesson_views,
    lessons,
    markup,
    models,
    output_views,
    picture_inputs,
    run_views,
    runs,
)
from core.checkpoints import CheckpointError
from core.errors import USER_ERRORS
from core.export import export_archive, warm_exporter_in_background
from core.history import TrainingHistory
from core.imaging import (
    BUNDLED_PHOTOS,
    MAX_UPLOAD_BYTES,
    UPLOAD_LIMITS,
    UPLOAD_TYPES,
    ImageInputError,
    bundled_photo,
    read_photo,
    read_upload,
)
from core.interactions import WAITING, Interaction, Output
from core.job_view import TrainingView
from core.labs.base import Lab, TrainedModel
from core.lessons import Lesson, LessonError
from core.runner import BusyError, default_runner
from core.specs import LabSpec, Param, SpecError, first_seed

POLL_SECONDS = 1.0  # how often a running training's view refreshes
SESSION, LOADED = "Trained in this session", "Loaded from a file"


def session_owner() -> str:
    """A random id per browser session: the runner keys jobs by it, so sessions never see or
    stop each other's trainings."""
    if "owner" not in st.session_state:
        st.session_state.owner = uuid.uuid4().hex
    return st.session_state.owner


def lab_header(spec: LabSpec) -> None:
    st.title(spec.heading)
    st.caption(spec.summary)
    if spec.theory:
        with st.expander("Theory"):
            st.markdown(spec.theory)


# --- hyperparameters -----------------------------------------------------------------------


def param_control(param: Param, key: str, disabled: bool = False) -> Any:
    """One widget for one hyperparameter, chosen by its kind and range; returns its value.
    `disabled`: shown but fixed (a setting a lesson locks)."""
    common = {"label": param.label, "help": param.help, "key": key, "disabled": disabled}
    bounded = param.low is not None and param.high is not None
    if param.kind == "bool":
        return st.checkbox(value=param.default, **common)
    if param.kind == "choice":
        return st.selectbox(options=param.choices, index=param.choices.index(param.default), **common)
    if param.kind == "multichoice":
        return st.multiselect(options=param.choices, default=list(param.default), **common)
    if param.kind == "text" and param.lines == 1:
        return st.text_input(value=param.default, **common)
    if param.kind == "text":
        return st.text_area(value=param.default, height=max(68, 26 * param.lines), **common)
    if param.kind == "float" and param.log and bounded and param.low > 0:
        return st.select_slider(
            options=controls.log_options(param, st.session_state.get(key)),
            value=param.default,
            format_func="{:g}".format,
            **common,
        )
    if controls.fits_slider(param):
        step = int(param.step or 1)
        return st.slider(
            min_value=int(param.low), max_value=int(param.high), value=param.default, step=step, **common
        )
    if param.kind == "float" and bounded and param.step:
        return st.slider(
            min_value=float(param.low),
            max_value=float(param.high),
            value=float(param.default),
            step=param.step,
            **common,
        )
    if param.kind == "int":
        return st.number_input(
            min_value=param.low, max_value=param.high, value=param.default, step=1, **common
        )
    default = float(param.default)
    step = controls.number_step(param)  # a free float: 1e-4 is not shown as 0.00
    return st.number_input(
        min_value=param.low, max_value=param.high, value=default, step=step, format="%g", **common
    )


def param_key(spec: LabSpec, name: str) -> str:
    return f"{spec.id}-{name}"


def param_controls(spec: LabSpec, lesson: Lesson | None = None) -> dict[str, Any]:
    """Widgets for the spec's hyperparameters; returns name -> value. Under a lesson, a locked
    setting is shown but disabled, and a hidden one is not drawn (it keeps the lesson's value)."""
    if lesson is None:
        return {param.name: param_control(param, key=param_key(spec, param.name)) for param in spec.params}
    values = {}
    for param in spec.params:
        if param.name in lesson.hidden:
            values[param.name] = lesson.settings[param.name]
        else:
            locked = param.name in lesson.locked
            values[param.name] = param_control(param, param_key(spec, param.name), disabled=locked)
    return values


def validated(spec: LabSpec, values: dict[str, Any]) -> dict[str, Any] | None:
    """The checked settings, or None after telling the student what is wrong with them."""
    try:
        return spec.validate(values)
    except SpecError as error:
        st.error(f"Check the settings: {error}")
        return None


# --- training ------------------------------------------------------------------------------


def training_view(state_key: str) -> TrainingView | None:
    """The session's training of a lab (core.job_view), kept in st.session_state."""
    return st.session_state.get(state_key)


def training_active(state_key: str) -> bool:
    view = training_view(state_key)
    return view is not None and not view.job.done


def session_alive() -> Callable[[], bool] | None:
    """A check that this browser session is still connected, for the runner: a student who
    closes the tab frees the trainer for the others. None outside a real server (AppTest)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), context.session_id
    return lambda: runtime.is_active_session(session_id)


def start_training(lab: Lab, state_key: str) -> None:
    """Queue a training with the settings now in the widgets (a button callback). Callbacks
    run before the page, so arguments bound when the button was drawn could be stale by a
    click that comes with a slider change; session_state already holds the new values.

    A refusal (bad settings, a training already running) is kept for `show_training` to show
    where the student looks."""
    spec = lab.spec
    keys = {param.name: param_key(spec, param.name) for param in spec.params}
    values = {name: st.session_state[key] for name, key in keys.items() if key in st.session_state}
    lesson = active_lesson(lab)
    try:
        if lesson is not None:  # the server holds the lesson's locks, whatever the widgets say
            values = lesson.check(spec.validate(values | {n: lesson.settings[n] for n in lesson.hidden}))
        job = default_runner().submit(lab, values, owner=session_owner(), still_wanted=session_alive())
    except (SpecError, BusyError) as error:
        st.session_state[f"{state_key}-error"] = str(error)
        return
    answer = st.session_state.get(f"{spec.id}-answer", "") if lesson and lesson.question else ""
    st.session_state[state_key] = TrainingView(job, note=answer.strip())


def show_training(
    state_key: str,
    hint: str,
    metric: str,
    view_history: Callable[[TrainingHistory], None],
    next_step: str = "",
) -> None:
    """The session's training: status, progress (with `metric`'s latest value), and
    `view_history` drawing the charts and samples, or `hint` before the first training. Polls
    the job while it runs; when it ends, reruns the whole page once so the rest of the page can
    offer the new model."""
    view = training_view(state_key)
    if error := st.session_state.pop(f"{state_key}-error", None):
        st.error(error)
    elif view is None:
        st.caption(hint)
    if view is None:
        return
    was_active = not view.job.done

    @st.fragment(run_every=POLL_SECONDS if was_active else None)
    def live() -> None:
        view.poll()
        _status(view, state_key, metric)
        if view.job.state == "finished" and next_step:
            st.caption(f"Next: {next_step}")
        view_history(view.history)
        if was_active and view.job.done:
            st.rerun()

    live()


def _status(view: TrainingView, state_key: str, metric: str) -> None:
    job, history = view.job, view.history
    if tone := job_view.status_tone(job):  # st.info, st.success, st.warning or st.error
        getattr(st, tone)(job_view.status_message(job))
    if history.total_steps:
        st.progress(history.fraction_done, text=job_view.progress_text(history, metric))
    elif job.state == "running":
        st.progress(0.0, text="Loading the data...")
    if not job.done:
        st.button(
            "Stop training",
            key=f"{state_key}-stop",
            on_click=job.stop,
            help="Stops after the current step; the model so far is kept.",
        )


def _samples(history: TrainingHistory) -> None:
    samples = history.samples
    if samples is None:
        return
    st.caption(samples.title or "Samples")
    images = [charts.to_uint8(charts.upscale(image, 2)) for image in samples.images]
    st.image(images, caption=list(samples.captions) or None)


# --- which model to play with --------------------------------------------------------------


def model_key(trained: TrainedModel) -> str:
    """A name that identifies a model across reruns, for caches of results computed from it."""
    return str(trained.path) if trained.path else f"memory-{id(trained.model)}"


def train_button(lab: Lab, state_key: str, params: dict[str, Any] | None) -> None:
    """The Train button: queues a training with the widgets' settings; off while the settings
    are invalid or this session's training of this lab is still running."""
    st.button(
        "Train",
        type="primary",
        key=f"{lab.spec.id}-train",
        disabled=params is None or training_active(state_key),
        on_click=start_training,
        args=(lab, state_key),
    )


def training_sidebar(
    lab: Lab, course_recipe: dict[str, Any] | None = None, lesson: Lesson | None = None
) -> dict | None:
    """The sidebar: the training settings, the course's recipe to compare with, and the link
    that shares this setup. Returns the valid settings, or None (after saying what is wrong).
    Each session starts from a seed of its own, so that a student's first training is not the
    bundled model again."""
    seed_key = param_key(lab.spec, "seed")
    if seed_key not in st.session_state and any(p.name == "seed" for p in lab.spec.params):
        st.session_state[seed_key] = first_seed()
    with st.sidebar:
        st.header("Train your own")
        params = validated(lab.spec, param_controls(lab.spec, lesson))
        if any(p.name == "seed" for p in lab.spec.params):
            st.caption(controls.seed_note(lab.spec.param("seed")))
        if course_recipe:
            st.caption(controls.recipe_note(course_recipe))
        share_setup(lab, params)
    return params


# --- lesson links --------------------------------------------------------------------------


def app_base() -> str:
    """The app's address as the browser sees it (for a link to hand out); empty when unknown."""
    from core.registry import lab_ids

    return lesson_views.app_address(str(st.context.url or ""), lab_ids())


def active_lesson(lab: Lab) -> Lesson | None:
    return st.session_state.get(f"{lab.spec.id}-lesson")


def open_lesson(lab: Lab) -> Lesson | None:
    """The lesson in the page's link (?lesson=...), if any: put its settings in the controls the
    first time the link is opened, and say what the teacher set. A link that cannot be used is
    explained, and the lab opens as usual."""
    key = f"{lab.spec.id}-lesson"
    token = st.query_params.get(lessons.QUERY_KEY)
    if not token:
        st.session_state.pop(key, None)
        return None
    try:
        lesson = lessons.read(token, lab)
    except LessonError as error:
        st.session_state.pop(key, None)
        st.error(lesson_views.unusable(error))
        return None
    if st.session_state.get(f"{key}-token") != token:  # a new link: its settings go in the controls
        for name, value in lesson.settings.items():
            st.session_state[param_key(lab.spec, name)] = lesson_views.control_value(value)
        st.session_state[f"{key}-token"] = token
    st.session_state[key] = lesson
    st.info(lesson_views.banner(lesson, lab), icon="🧑‍🏫")
    return lesson


def lesson_answer(lab: Lab, lesson: Lesson | None) -> bool:
    """The lesson's question, to answer before Train; True once answered (or when none)."""
    if lesson is None or not lesson.question:
        return True
    answer = st.text_input(
        f"Before you train: {lesson.question}",
        key=f"{lab.spec.id}-answer",
        help="Write your prediction first: it is kept with your run, so you can compare it with "
        "what happened.",
    )
    if not answer.strip():
        st.caption("Answer the question above to unlock **Train**.")
    return bool(answer.strip())


def share_setup(lab: Lab, params: dict[str, Any] | None) -> None:
    """For a teacher: these settings as a link, with the controls students may not change
    locked or hidden and an optional question to answer before Train (None: the settings are
    not valid, and the link waits for them)."""
    with st.expander("Share this setup as a lesson link"):
        names = [param.name for param in lab.spec.params]
        locked = st.multiselect("Lock (shown, cannot be changed)", names, key=f"{lab.spec.id}-share-lock")
        hidden = st.multiselect("Hide (set, not shown)", names, key=f"{lab.spec.id}-share-hide")
        question = st.text_input(
            "A question to answer before Train (optional)",
            key=f"{lab.spec.id}-share-question",
            placeholder="Predict: will it learn with this learning rate?",
        )
        if params is None:
            st.caption("Correct the settings above first: the link holds valid settings only.")
            return
        try:
            lesson = lessons.make(lab, params, locked, hidden, question)
        except LessonError as error:
            st.error(str(error))
            return
        st.code(lesson.link(app_base()), language=None, wrap_lines=True)
        st.caption(lesson_views.SHARE_NOTE)


def _checkpoints_or_note(lab: Lab, trained: TrainedModel | None, state_key: str) -> None:
    with st.expander("Save or load a checkpoint"):
        checkpoint_tools(lab, trained, state_key)
    if trained is None:
        st.info("No model is available yet: train one with the settings in the sidebar.")


def _keep_trained_model(state_key: str, choice_key: str) -> None:
    """Copy a finished job's model out of the job, so it stays usable while the next one
    trains, and select it the first time it appears."""
    view = training_view(state_key)
    if view is None or view.job.result is None or st.session_state.get(f"{state_key}-offered") == view.job.id:
        return
    st.session_state[f"{state_key}-trained"] = view.job.result
    st.session_state[f"{state_key}-offered"] = view.job.id
    st.session_state[choice_key] = SESSION


def checkpoint_tools(lab: Lab, trained: TrainedModel | None, state_key: str) -> None:
    """Download the chosen model as a checkpoint zip, or load one (config.json +
    model.safetensors; pickles are refused)."""
    if trained is not None and trained.path is not None:
        st.download_button(
            "Download this model (.zip)",
            data=lambda: export_archive(lab, trained),  # made only when clicked
            file_name=f"{trained.path.name}.zip",
            mime="application/zip",
            key=f"{state_key}-download",
            help="The checkpoint (load it back here), and where the lab has them an ONNX file and a "
            "predict.py that runs with only PyTorch: see EXPORT.md inside.",
        )
    st.file_uploader(
        "Load a checkpoint (.zip with config.json and model.safetensors)",
        type=["zip"],
        key=f"{state_key}-zip",
        on_change=_load_checkpoint,
        args=(lab, state_key),
    )
    if error := st.session_state.get(f"{state_key}-zip-error"):
        st.error(error)


def _load_checkpoint(lab: Lab, state_key: str) -> None:
    """Uploader callback: unpack and load the zip before the page reruns, so the model radio
    can already offer (and select) it."""
    st.session_state.pop(f"{state_key}-zip-error", None)
    upload = st.session_state.get(f"{state_key}-zip")
    if upload is None:
        return
    folder = Path(tempfile.mkdtemp(prefix="dll-checkpoint-"))
    try:
        trained = models.load_archive(lab, upload.getvalue(), upload.name, folder)
    except CheckpointError as error:
        shutil.rmtree(folder, ignore_errors=True)
        st.session_state[f"{state_key}-zip-error"] = f"Could not load {upload.name}: {error}"
        return
    st.session_state[f"{state_key}-loaded"] = trained
    st.session_state[f"{state_key}-model"] = LOADED


# --- pictures ------------------------------------------------------------------------------


def drawing_pad(key: str, size: int = 280) -> np.ndarray | None:
    """A black pad to draw one digit on in white ink, as MNIST digits look, and a Clear button
    below it (plainer than the canvas's own toolbar icons, which a touch screen shows only when
    touched); returns the RGBA pixels drawn so far, or None before the first stroke."""
    # Imported here: the component registers itself on import, which needs a running Streamlit app.
    from streamlit_drawable_canvas import st_canvas

    clears = st.session_state.get(f"{key}-clears", 0)
    canvas = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        width=size,
        height=size,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"{key}-{clears}",  # a new key is a blank pad
    )
    _pin_pad_toolbars()
    if st.button("Clear the pad", key=f"{key}-clear", icon="🧽"):
        st.session_state[f"{key}-clears"] = clears + 1
        st.rerun()
    return canvas.image_data


# The canvas component hides its toolbar (undo, redo, reset) until hovered, over the pad's top
# right corner: on a touch screen the first tap there both shows it and presses it, and a
# student's drawing was wiped. The component draws in a shadow root that page CSS cannot reach,
# and has no option for it, so this script gives each pad's shadow root a style that keeps the
# toolbar shown, above the pad instead of over it, and makes room for it.
PIN_PAD_TOOLBARS = """<script>
(() => {
  if (window.dllPadToolbars) return;
  window.dllPadToolbars = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(".dc-toolbar { opacity: 1 !important; top: -3rem !important; }");
  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    setTimeout(() => { queued = false; pin(); }, 100);
  };
  // A pad builds its toolbar inside its shadow root, after the host is in the page: changes
  // there are not seen from the body, so each shadow root is watched too.
  const watched = new WeakSet();
  const pin = () => {
    for (const host of document.querySelectorAll("*")) {
      const root = host.shadowRoot;
      if (!root) continue;
      if (!watched.has(root)) {
        watched.add(root);
        new MutationObserver(schedule).observe(root, { childList: true, subtree: true });
      }
      if (root.adoptedStyleSheets.includes(sheet) || !root.querySelector(".dc-toolbar")) continue;
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      host.style.display = "block";
      host.style.marginTop = "3rem";
    }
  };
  new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  pin();
})();
</script>"""


def _pin_pad_toolbars() -> None:
    st.html(PIN_PAD_TOOLBARS, unsafe_allow_javascript=True, width="content")


@st.cache_resource(show_spinner=False)
def _warm_exporter() -> None:
    """Once per server process, on the first lab page: the ONNX exporter's first-use costs are
    paid in the background, not by the first student who downloads a model."""
    warm_exporter_in_background()


# --- a lab page, generated from the lab's declaration ----------------------------------------


def lab_page(lab: Lab) -> None:
    """The whole page of a lab: theory, the sidebar's settings and Train button, the live
    training, the model picker, then a tab per interaction. A lab may draw any of these its own
    way in app_pages/panels/<lab>.py (see `panel_override`)."""
    _warm_exporter()
    state_key = f"{lab.spec.id}-training"
    lab_header(lab.spec)
    lesson = open_lesson(lab)
    params = training_sidebar(lab, lab.course_recipe, lesson)
    st.subheader("Training")
    answered = lesson_answer(lab, lesson)
    # Train in the page, not at the foot of the sidebar: above the fold, and on a phone too,
    # where the sidebar hides behind a button.
    train_button(lab, state_key, params if answered else None)
    show_training(
        state_key,
        hint="Press **Train** to train your own model with the settings in the sidebar (» on a "
        "phone): the curves grow here while it trains. Meanwhile the pretrained model below is "
        "ready to use.",
        metric=lab.train_metrics[0] if lab.train_metrics else "loss",
        view_history=panel_override(lab, "training_view") or _lab_training_view(lab, state_key),
        next_step=lab.next_step(),
    )
    runs_section(lab, state_key)
    trained = variant_model_section(lab, state_key)
    # Without a model, what needs none (the attention explorer) stays open.
    shown = [i for i in lab.interactions if trained is not None or not i.needs_model]
    if not shown:
        return
    st.subheader("Try it")
    for tab, interaction in zip(st.tabs([i.title for i in shown]), shown, strict=True):
        with tab:
            st.caption(interaction.help)
            draw = panel_override(lab, interaction.name.replace("-", "_")) or interaction_panel
            draw(lab, interaction, trained)


def session_runs(lab: Lab, state_key: str) -> list[runs.Run]:
    """This session's runs of the lab, oldest first; a training that has just ended joins them."""
    kept = st.session_state.setdefault(f"{state_key}-runs", {})
    view = training_view(state_key)
    if view is not None and view.job.done and view.job.result is not None and view.job.id not in kept:
        kept[view.job.id] = runs.from_job(view.job, label=f"run {len(kept) + 1}", note=view.note)
    return list(kept.values())


def _train_again(lab: Lab, run: runs.Run) -> None:
    """Put a run's settings, its seed included, back into the sidebar (a button callback)."""
    for name, value in run.one_change().items():
        if any(param.name == name for param in lab.spec.params):
            st.session_state[param_key(lab.spec, name)] = value
    st.session_state[f"{lab.spec.id}-again"] = run.label


def _relabel(kept: list[runs.Run], run: runs.Run, key: str, compare_key: str) -> None:
    """A run's label changed in its box (a callback): kept if it is a good label, else the old
    one comes back and the reason is shown."""
    old = run.label
    try:
        runs.relabel(kept, run, st.session_state[key])
    except runs.RunError as error:
        st.session_state[key] = run.label
        st.session_state[f"{key}-error"] = str(error)
        return
    picked = st.session_state.get(compare_key)
    if picked:  # a renamed run stays in the comparison
        st.session_state[compare_key] = [run.label if label == old else label for label in picked]


def runs_section(lab: Lab, state_key: str) -> None:
    """ "Your runs": every training of this session, a way to train again with one change, and
    two or more runs compared (curves on shared axes, settings with the differences first,
    final figures side by side)."""
    kept = session_runs(lab, state_key)
    if not kept:
        return
    if again := st.session_state.pop(f"{lab.spec.id}-again", None):
        st.info(run_views.one_change_note(again, "the sidebar"))
    with st.expander(
        f"Your runs ({len(kept)}): train again with one change, compare", expanded=len(kept) > 1
    ):
        for number, run in enumerate(kept):
            left, middle, right = st.columns([3, 1, 1])
            figure = lab.headline(run.metrics) or ""
            answered = f" · you predicted: {markup.code(run.note)}" if run.note else ""
            left.text_input(
                "Label",
                value=run.label,
                key=f"{state_key}-label-{number}",
                on_change=_relabel,
                args=(kept, run, f"{state_key}-label-{number}", f"{state_key}-compare"),
                label_visibility="collapsed",
                help="Your own name for this run: the comparison shows it.",
            )
            if refused := st.session_state.pop(f"{state_key}-label-{number}-error", None):
                left.warning(refused)
            left.markdown(f"seed {run.seed} · {figure}{answered}")
            middle.button(
                "Train again with one change",
                key=f"{state_key}-again-{run.label}",
                on_click=_train_again,
                args=(lab, run),
            )
            with right.popover("Share these settings"):
                st.code(Lesson.of_settings(lab, run.params).link(app_base()), language=None, wrap_lines=True)
                st.caption("The link gives these settings and seed, not the trained model.")
        if len(kept) < 2:
            st.caption("Train once more to compare two runs here.")
            return
        labels = [run.label for run in kept]
        picked = st.multiselect("Compare", labels, default=labels[-2:], key=f"{state_key}-compare")
        chosen = [run for run in kept if run.label in picked]
        if len(chosen) < 2:
            st.caption("Pick two or more runs.")
            return
        metrics = runs.shared_metrics(chosen)
        x = st.radio("x-axis", runs.X_AXES, horizontal=True, key=f"{state_key}-compare-x")
        for start in range(0, len(metrics), 2):
            for column, metric in zip(st.columns(2), metrics[start : start + 2], strict=False):
                try:
                    figure = runs.overlay(chosen, metric, x)
                except runs.RunError as error:
                    column.warning(str(error))
                    continue
                column.plotly_chart(figure, key=f"{state_key}-compare-{metric}")
        st.markdown("**Settings** (what differs comes first, marked)")
        st.dataframe(run_views.settings_rows(chosen), hide_index=True)
        st.markdown("**Final held-out figures**")
        st.dataframe(runs.figures_table(chosen), hide_index=True)


def _lab_training_view(lab: Lab, state_key: str) -> Callable[[TrainingHistory], None]:
    """The lab's training charts side by side (two to a row), then its latest samples."""

    def view(history: TrainingHistory) -> None:
        if history.steps:
            figures = lab.training_figures(history)
            for start in range(0, len(figures), 2):
                for index, column in enumerate(st.columns(2)):
                    if start + index < len(figures):
                        figure = charts.fit_title(figures[start + index])
                        column.plotly_chart(figure, key=f"{state_key}-chart-{start + index}")
        if lab.samples_label is not None:
            _samples(history)

    return view


def panel_override(lab: Lab, name: str) -> Callable | None:
    """A lab's own Streamlit panel `name` from app_pages/panels/<lab>.py, if it draws one."""
    import importlib.util

    module_name = f"app_pages.panels.{lab.spec.id.replace('-', '_')}"
    if importlib.util.find_spec(module_name) is None:
        return None
    drawn = getattr(importlib.import_module(module_name), name, None)
    # Only the panel module's own functions: a name it imported (say, core's `decode`) is no panel.
    return drawn if getattr(drawn, "__module__", None) == module_name else None


def variant_model_section(lab: Lab, state_key: str) -> TrainedModel | None:
    """ "Model": a bundled variant, this session's model or a loaded checkpoint, with its facts,
    download and upload. A model that has just appeared (trained, loaded) is selected."""
    st.subheader("Model")
    choice_key = f"{state_key}-model"
    _keep_trained_model(state_key, choice_key)
    names = {f"Bundled {name}": name for name in lab.variants}
    names[SESSION] = models.SESSION
    names[LOADED] = models.LOADED
    session_model = st.session_state.get(f"{state_key}-trained")
    loaded = st.session_state.get(f"{state_key}-loaded")
    available = [label for label, name in names.items() if name not in (models.SESSION, models.LOADED)]
    available += [label for label, model in ((SESSION, session_model), (LOADED, loaded)) if model is not None]
    if st.session_state.get(choice_key) not in available:
        st.session_state[choice_key] = available[0] if available else None
    trained = None
    if available:
        choice = st.radio("Model to use", available, key=choice_key, horizontal=True)
        try:
            trained = models.choose(lab, names[choice], session_model, loaded)
            st.caption(models.summary(lab, trained))
        except models.ModelChoiceError as error:
            st.warning(str(error))
    _checkpoints_or_note(lab, trained, state_key)
    return trained


def interaction_panel(lab: Lab, interaction: Interaction, trained: TrainedModel | None) -> None:
    """Inputs on the left, the answer on the right; live interactions answer on every change,
    the others when asked (and keep their answer for this model until asked again)."""
    key = f"{lab.spec.id}-{interaction.name}"
    left, right = st.columns([1, 2]) if interaction.inputs else (st.container(), st.container())
    with left:
        values = {param.name: input_control(param, f"{key}-{param.name}") for param in interaction.inputs}
        asked = interaction.live or st.button(interaction.title, key=f"{key}-run", type="primary")
    with right:
        empty = {param.kind for param in interaction.inputs if values[param.name] is None}
        waiting = [message for kind, message in WAITING.items() if kind in empty]
        if waiting:  # a picture input is still empty: say how to give one
            st.info(waiting[0])
            return
        stored = st.session_state.get(f"{key}-result")
        if asked:
            try:
                stored = (model_key(trained) if trained else None, interaction(trained, values))
            except USER_ERRORS as error:
                st.warning(str(error))
                return
            st.session_state[f"{key}-result"] = stored
        if stored and stored[0] == (model_key(trained) if trained else None):
            show_outputs(interaction, stored[1], key)
    if asked and interaction.needs_model:
        compared_runs_panel(lab, interaction, values, key)


def compared_runs_panel(lab: Lab, interaction: Interaction, values: dict[str, Any], key: str) -> None:
    """The same input through each run ticked under "Your runs" (two to four), side by side:
    the same drawing through two classifiers, the same sentence through two translators."""
    state_key = f"{lab.spec.id}-training"
    ticked = st.session_state.get(f"{state_key}-compare") or []
    chosen = runs.with_models(session_runs(lab, state_key), ticked)[:4]
    if len(chosen) < 2:
        return
    st.markdown("**The same input through each compared run** (ticked under *Your runs*)")
    for column, run in zip(st.columns(len(chosen)), chosen, strict=True):
        with column:
            st.markdown(f"*{run.label}*")
            try:
                result = interaction(run.trained, values)
            except USER_ERRORS as error:
                st.warning(str(error))
                continue
            show_outputs(interaction, result, f"{key}-run-{run.label}")


def input_control(param: Param, key: str) -> Any:
    """A widget for an interaction's input; an image is drawn or uploaded (grey, ink bright),
    None until there is one; a photo is bundled, uploaded or taken with the webcam."""
    if param.kind == "photo":
        return _photo(param, key)
    if param.kind == "classes":
        return _classes(param, key)
    if param.kind != "image":
        return param_control(param, key)
    sources = [s for s in ("draw", "upload") if s in param.sources]
    tabs = (
        st.tabs(["Draw" if s == "draw" else "Upload" for s in sources])
        if len(sources) > 1
        else [st.container()]
    )
    pictures = {}
    for tab, source in zip(tabs, sources, strict=True):
        with tab:
            pictures[source] = _drawn(key) if source == "draw" else _uploaded(param, key)
    # The newest picture wins: an upload replaces the drawing until it is removed.
    return pictures.get("upload") if pictures.get("upload") is not None else pictures.get("draw")


def _drawn(key: str) -> np.ndarray | None:
    return picture_inputs.drawn_digit(drawing_pad(f"{key}-pad"))


def _uploaded(param: Param, key: str) -> np.ndarray | None:
    upload = st.file_uploader(
        f"{param.label}: a png, jpg or webp file ({UPLOAD_LIMITS})",
        type=list(UPLOAD_TYPES),
        key=f"{key}-upload",
        max_upload_size=MAX_UPLOAD_BYTES // 2**20,
    )
    if upload is None:
        return None
    try:
        return read_upload(upload.getvalue())
    except ImageInputError as error:
        st.error(f"{upload.name}: {error}")
        return None


PHOTO_SOURCES = ("Bundled photo", "Upload", "Webcam")


def _photo(param: Param, key: str) -> np.ndarray | None:
    """A colour photo from the chosen source only (a webcam widget asks for the camera as soon
    as it is drawn); None until there is one."""
    source = st.radio(f"{param.label} from", PHOTO_SOURCES, key=f"{key}-source", horizontal=True)
    if source == "Bundled photo":
        names = list(BUNDLED_PHOTOS)
        name = st.selectbox(
            param.label,
            names,
            index=names.index(param.default) if param.default in names else 0,
            format_func=lambda n: f"{n}: {BUNDLED_PHOTOS[n]}",
            key=f"{key}-bundled",
            help=param.help,
        )
        return bundled_photo(name)
    if source == "Upload":
        picture = st.file_uploader(
            f"{param.label}: a png, jpg or webp file ({UPLOAD_LIMITS})",
            type=list(UPLOAD_TYPES),
            key=f"{key}-upload",
            max_upload_size=MAX_UPLOAD_BYTES // 2**20,
        )
    else:
        picture = st.camera_input(param.label, key=f"{key}-webcam", help=param.help)
    if picture is None:
        return None
    try:
        return read_photo(picture.getvalue())
    except ImageInputError as error:
        st.error(f"{picture.name}: {error}")
        return None


def _classes(param: Param, key: str) -> list[tuple[str, list[np.ndarray]]] | str | None:
    """A student's classes: a name, uploads and webcam shots per class (decoded once and kept in
    this session's state only); what core reads of them comes from `image_classes.form_value`."""
    sources = image_classes.SOURCES
    source = st.radio(f"{param.label} from", sources, key=f"{key}-source", horizontal=True)
    if source == sources[0]:
        st.caption(image_classes.READY_MADE_NOTE)
        return image_classes.form_value(source, [])
    low, high = image_classes.MIN_CLASSES, image_classes.MAX_CLASSES
    count = int(st.number_input("How many classes", low, high, low, key=f"{key}-count"))
    decoded = st.session_state.setdefault(f"{key}-decoded", {})  # upload id -> picture or refusal
    classes, kept = [], set()
    for number in range(count):
        with st.expander(f"Class {number + 1}", expanded=True):
            name = st.text_input(
                "Name", f"Class {number + 1}", key=f"{key}-name-{number}", max_chars=image_classes.MAX_NAME
            )
            uploads = st.file_uploader(
                f"Pictures: png, jpg or webp ({UPLOAD_LIMITS} each)",
                type=list(UPLOAD_TYPES),
                accept_multiple_files=True,
                key=f"{key}-upload-{number}",
                max_upload_size=MAX_UPLOAD_BYTES // 2**20,
            )
            pictures = [_decoded(upload, decoded) for upload in uploads or []]
            kept |= {upload.file_id for upload in uploads or []}
            shots = st.session_state.setdefault(f"{key}-shots-{number}", {})
            if st.toggle("Take pictures with the webcam", key=f"{key}-use-webcam-{number}"):
                shot = st.camera_input("Each shot adds a picture", key=f"{key}-webcam-{number}")
                if shot is not None and shot.file_id not in shots:
                    shots[shot.file_id] = _decoded(shot, {})
                if shots and st.button("Forget the shots", key=f"{key}-forget-{number}"):
                    shots.clear()
            given = [*pictures, *shots.values()]
            refused = [item for item in given if isinstance(item, image_classes.RefusedFile)]
            pictures = [item for item in given if not isinstance(item, image_classes.RefusedFile)]
            # Every run, not only the one after the upload: the file stays listed until removed.
            summary = image_classes.picture_count(pictures, refused).translate(AS_TYPED)
            if refused:
                st.warning(summary)
            else:
                st.caption(summary)
        classes.append((name, pictures))
    for gone in set(decoded) - kept:  # removed uploads leave this session's memory too
        del decoded[gone]
    return image_classes.form_value(source, classes)


# Markdown's marks escaped, for file names shown where Streamlit reads markdown (IMG_1_2.jpg).
AS_TYPED = str.maketrans({mark: "\\" + mark for mark in "\\`*_[]<>$~|"})


def _decoded(upload: Any, decoded: dict[str, Any]) -> np.ndarray | image_classes.RefusedFile:
    """An upload's picture (core.image_classes.uploaded_picture), decoded once per session; a
    file that is no picture gives its refusal, kept as long as the upload to be shown each run."""
    if upload.file_id not in decoded:
        try:
            decoded[upload.file_id] = image_classes.uploaded_picture(upload.getvalue(), upload.name)
        except image_classes.RefusedFile as refusal:  # kept anew: a raised one's frames hold the file
            decoded[upload.file_id] = image_classes.RefusedFile(refusal.file_name, refusal.reason)
    return decoded[upload.file_id]


def show_outputs(interaction: Interaction, result: dict[str, Any], key: str) -> None:
    for output in interaction.outputs:
        if output.shown and result.get(output.name) is not None:
            show_output(output, result[output.name], f"{key}-output-{output.name}")
            if output.help:
                st.caption(output.help)


def show_output(output: Output, value: Any, key: str) -> None:
    """One output, drawn as its kind asks."""
    kind, shown = output.kind, output_views.drawn(output, value)
    if kind == "label":
        st.markdown(f"### {output.label}: {value.label}")
        st.caption(f"{value.confidence:.0%} confident")
        figure = charts.probability_bars(value.values, value.classes)
        st.plotly_chart(figure.update_layout(title=None), key=key)
    elif kind == "image":
        st.image(shown, caption=output.label)
    elif kind == "gallery":
        if output.label:
            st.markdown(f"**{output.label}**")
        st.image([picture for picture, _ in shown], caption=[caption for _, caption in shown])
    elif kind in ("heatmap", "plot"):
        st.plotly_chart(shown, key=key)
    elif kind == "table":
        st.dataframe(value, hide_index=True)
    elif kind == "markdown":
        st.markdown(value)
    elif kind == "text":
        st.code(value, language=None)
    elif kind == "number":
        st.metric(output.label, f"{value:.4g}")
    elif kind == "json":
        st.json(value)
    elif kind == "file":
        st.download_button(output.label, value.data, file_name=value.name, mime=value.mime, key=key)
