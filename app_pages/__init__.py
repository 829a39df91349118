"""Streamlit pages, one per lab, named after the lab id (`digits` -> app_pages/digits.py).

The folder is not called `pages/`: Streamlit treats a `pages/` folder as its older file-based
navigation, and a student opening a deep link (/digits) on a freshly started server then got
that page without app.py's navigation and layout (also noted by Streamlit's maintainers in
streamlit/streamlit#10276). Everything here is light, so the home page starts fast.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def page_file(lab_id: str) -> str | None:
    """The lab's page relative to app.py, if that page is written."""
    relative = f"{FOLDER.name}/{lab_id.replace('-', '_')}.py"
    return relative if (FOLDER.parent / relative).is_file() else None
