"""The same input through each compared run, side by side, as one HTML block: any interaction
(whatever its outputs) can show two to four models at once this way. What can be read at a
glance is shown; a chart or a heatmap is only named, to be seen in full with the run picked as
the model in use."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from core.interactions import Interaction, Output, data_uri
from core.runs import Run

TABLE_ROWS = 8  # a table's first rows: enough to compare, short enough for a narrow column
HEADING = "<p><strong>The same input through each compared run</strong> (ticked in the Runs tab)</p>"


def compared_html(interaction: Interaction, values: dict[str, Any], chosen: Sequence[Run]) -> str:
    """Each run's answer to `values` in a column of its own (a run's error in its column)."""
    columns = []
    for run in chosen:
        try:
            result = interaction(run.trained, values)
            body = "".join(output_html(o, result.get(o.name)) for o in interaction.outputs if o.shown)
        except Exception as error:  # a bad input, or one run's model that cannot answer: said in its column
            body = f"<p><em>{escape(str(error))}</em></p>"
        columns.append(f'<div style="flex:1;min-width:12em"><h4>{escape(run.label)}</h4>{body}</div>')
    return HEADING + f'<div style="display:flex;gap:1em;flex-wrap:wrap">{"".join(columns)}</div>'


def output_html(output: Output, value: Any) -> str:
    """One output as HTML; empty for a missing value."""
    if value is None:
        return ""
    title = f"<div><small>{escape(output.label or output.name)}</small></div>"
    kind = output.kind
    if kind == "label":
        answer = value.to_dict()
        top = sorted(answer["probabilities"].items(), key=lambda item: -item[1])[:3]
        shown = ", ".join(f"{escape(str(name))} {p:.0%}" for name, p in top)
        return f"{title}<p><strong>{escape(str(answer['prediction']))}</strong> ({shown})</p>"
    if kind == "image":
        return f'{title}<img src="{data_uri(value)}" style="width:8em;image-rendering:pixelated">'
    if kind == "gallery":
        style = "width:3em;image-rendering:pixelated"
        images = "".join(
            f'<img src="{data_uri(image)}" title="{escape(str(caption))}" style="{style}">'
            for image, caption in list(value)[:12]
        )
        return f"{title}<div>{images}</div>"
    if kind in ("markdown", "text", "number"):
        return f"{title}<p>{escape(_cell(value)).replace(chr(10), '<br>')}</p>"
    if kind == "table":
        rows = list(value)[:TABLE_ROWS]
        if not rows:
            return ""
        head = "".join(f"<th>{escape(str(key))}</th>" for key in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(cell))}</td>" for cell in row.values()) + "</tr>"
            for row in rows
        )
        return f"{title}<table><tr>{head}</tr>{body}</table>"
    return f"{title}<p><em>a {kind}: pick this run as the model in use to see it</em></p>"


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
