"""Streamlit pages: the home catalogue, and a page per lab.

A lab in a package of its own gets a page generated from its declaration
(`ui_streamlit.lab_page`); a lab not yet moved still has its file here, named after its id
(`binary-ae` -> app_pages/binary_ae.py).

The folder is not called `pages/`: Streamlit treats a `pages/` folder as its older file-based
navigation, and a student opening a deep link (/digits) on a freshly started server then got
that page without app.py's navigation and layout (also noted by Streamlit's maintainers in
streamlit/streamlit#10276). Everything here is light, so the home page starts fast.
"""

from pathlib import Path

import streamlit as st

from core.registry import lab_packages
from core.specs import LabSpec

FOLDER = Path(__file__).resolve().parent


def page_file(lab_id: str) -> str | None:
    """The lab's own page file relative to app.py, if it has one."""
    relative = f"{FOLDER.name}/{lab_id.replace('-', '_')}.py"
    return relative if (FOLDER.parent / relative).is_file() else None


def _generated(lab_id: str):
    def page() -> None:
        import ui_streamlit
        from core.registry import get_lab

        ui_streamlit.lab_page(get_lab(lab_id))

    page.__name__ = lab_id.replace("-", "_")
    return page


def lab_page(spec: LabSpec) -> st.Page | None:
    """The page of a ready lab, at /<lab id>; None for a lab that has no page yet."""
    source = _generated(spec.id) if spec.id in lab_packages() else page_file(spec.id)
    if spec.status != "ready" or source is None:
        return None
    return st.Page(source, title=spec.title, icon=spec.icon or None, url_path=spec.id)
