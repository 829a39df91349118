"""Streamlit pages: the home catalogue, and a page per lab.

Every lab's page is generated from its declaration (`ui_streamlit.lab_page`), at /<lab id>;
a lab's own panels, where it draws any, are in app_pages/panels/<lab>.py.

The folder is not called `pages/`: Streamlit treats a `pages/` folder as its older file-based
navigation, and a student opening a deep link (/digits) on a freshly started server then got
that page without app.py's navigation and layout (also noted by Streamlit's maintainers in
streamlit/streamlit#10276). Everything here is light, so the home page starts fast.
"""

import streamlit as st

from core.specs import LabSpec


def _generated(lab_id: str):
    def page() -> None:
        import ui_streamlit
        from core.registry import get_lab

        ui_streamlit.lab_page(get_lab(lab_id))

    page.__name__ = lab_id.replace("-", "_")
    return page


def lab_page(spec: LabSpec) -> st.Page | None:
    """The page of a ready lab, at /<lab id>; None for a planned lab."""
    if spec.status != "ready":
        return None
    return st.Page(_generated(spec.id), title=spec.title, icon=spec.icon or None, url_path=spec.id)
